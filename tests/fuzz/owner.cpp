// The owners (ReplicaSets, Jobs) the agent GETs to find a pod's workload.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "agent/k8s/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto object = nlohmann::json::parse(data, data + size, nullptr, false);
  if (!object.is_discarded()) (void)tailor::agent::read_owner_object(object);
  return 0;
}
