#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tailor::common {

// A kind a WorkloadKey can name (its pods' top owner) and where its pods' spec is.
struct WorkloadKind {
  std::string_view kind;         // "Deployment"
  std::string_view api_version;  // "apps/v1"
  std::string_view plural;       // "deployments"
  std::string_view short_name;   // "deploy"; "" when it has none
  std::string_view pod_spec;     // JSON pointer: "/spec/template/spec", "/spec" for a Pod
  // Most often controlled by another workload (a Deployment's ReplicaSet, a CronJob's Job): a
  // pod's owner of this kind is followed to its own controller owner.
  bool follow_owner = false;
};

// By Kind ("CronJob"); nullptr for a kind whose pods Tailor cannot find (a custom resource).
const WorkloadKind* workload_kind(std::string_view kind);
// By the names kubectl takes: "deployment", "deployments", "deploy", any case.
const WorkloadKind* workload_kind_by_resource(std::string_view resource);
// "deployment, statefulset, ...", for messages.
std::string workload_resource_names();

// A container of a pod spec, and the list it is in ("containers" or "initContainers"): a
// strategic-merge patch of the container goes into that list.
struct PodContainer {
  std::string list;
  const nlohmann::json* container = nullptr;
};
// The containers and init containers of `object`'s pod spec, in that order; none when the
// object has no pod spec where `kind` says.
std::vector<PodContainer> pod_containers(const nlohmann::json& object, const WorkloadKind& kind);

}  // namespace tailor::common
