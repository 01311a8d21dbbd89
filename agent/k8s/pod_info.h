#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace tailor::agent {

enum class ContainerKind { kRegular, kInit, kEphemeral };

// A container's effective securityContext.seccompProfile: its own, else its pod's.
struct SeccompProfileRef {
  std::string type;               // "Localhost", "RuntimeDefault", "Unconfined"; "" unset
  std::string localhost_profile;  // only with type Localhost
  bool operator==(const SeccompProfileRef&) const = default;
};

struct ContainerInfo {
  std::string name;
  ContainerKind kind = ContainerKind::kRegular;
  SeccompProfileRef seccomp;

  bool operator==(const ContainerInfo&) const = default;
};

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;

  bool operator==(const OwnerReference&) const = default;
};

// What the agent needs of a Pod object.
struct PodInfo {
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> owners;
  // Container id (without the runtime scheme) -> container, from
  // status.containerStatuses, initContainerStatuses and
  // ephemeralContainerStatuses, and the previous instance of a restarted
  // container (lastState.terminated). Containers not started yet have no id
  // and are not here.
  std::map<std::string, ContainerInfo> containers;

  bool operator==(const PodInfo&) const = default;
};

// The string at `key` of a JSON object, "" when absent or not a string; its string values
// when it is an object (a Kubernetes object's labels or annotations).
std::string string_at(const nlohmann::json& object, const char* key);
std::map<std::string, std::string> string_map(const nlohmann::json& object, const char* key);

// Reads a Pod object; an error when metadata.uid, name or namespace is missing.
common::Result<PodInfo> pod_info_from_object(const nlohmann::json& pod);

// The id in a status' containerID: "containerd://<id>", "cri-o://<id>",
// "docker://<id>"; nullopt when empty or without a scheme.
std::optional<std::string> container_id_from_uri(std::string_view uri);

// The owner reference with controller: true, else the first one, else null.
const OwnerReference* controlling_owner(const PodInfo& pod);

// Whether a container cgroup found under this pod's cgroup is its sandbox
// (the pause container): once the pod is known, every container of its own
// is in its statuses, so an id under it that is in none of them is the
// sandbox's. Only meaningful for ids found under the pod's cgroup.
bool is_sandbox(const PodInfo& pod, std::string_view container_id);

}  // namespace tailor::agent
