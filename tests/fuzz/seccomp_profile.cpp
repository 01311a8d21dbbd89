// Security Profiles Operator SeccompProfile objects, as YAML or JSON (a JSON document is YAML):
// `tailor diff` and `verify` read them from files and the cluster.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/k8s/seccomp_profile_object.h"
#include "common/k8s/yaml_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor::common;
  const auto object = yaml_to_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!object) return 0;
  (void)profile_from_seccomp_profile(*object);
  (void)profile_from_seccomp_profile(*object, {.allow_unknown_names = true});
  return 0;
}
