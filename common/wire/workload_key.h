#pragma once

#include <compare>
#include <string>

namespace tailor::common {

// The unit a SeccompProfile is made for: one container of one workload. Replicas of a
// Deployment on every node share a key, so the aggregator merges them into one profile.
// `kind` and `name` name the top owner ("Deployment"/"web"; "Pod"/<pod name> for a bare pod).
struct WorkloadKey {
  std::string namespace_name;
  std::string kind;
  std::string name;
  std::string container;

  auto operator<=>(const WorkloadKey&) const = default;
};

// "namespace/Kind/name:container", for logs and messages.
inline std::string describe(const WorkloadKey& key) {
  return key.namespace_name + "/" + key.kind + "/" + key.name + ":" + key.container;
}

}  // namespace tailor::common
