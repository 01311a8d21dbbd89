// Cgroup paths the agent finds under the kubelet's cgroups and container ids in cgroup names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/cgroup/container_lookup.h"
#include "agent/cgroup/kubelet_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor::agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_kubelet_cgroup(text);
  (void)container_id_from_cgroup_name(text);
  return 0;
}
