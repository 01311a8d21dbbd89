// Pod objects from the API server, as the agent's pod watcher reads them.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "agent/k8s/pod_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor::agent;
  const auto object = nlohmann::json::parse(data, data + size, nullptr, false);
  if (object.is_discarded()) return 0;
  const auto pod = pod_info_from_object(object);
  if (!pod) return 0;
  (void)controlling_owner(*pod);
  for (const auto& [id, container] : pod->containers) (void)is_sandbox(*pod, id);
  return 0;
}
