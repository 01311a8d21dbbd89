#include "agent/k8s/pod_info.h"

namespace tailor::agent {
namespace {

using nlohmann::json;

// securityContext.seccompProfile of a pod spec or a container; nullopt when unset. A type the
// API server would not have accepted is taken as unset rather than failing the pod: the pod is
// still recorded, and its enforcement shows as unset.
std::optional<SeccompProfileRef> seccomp_profile_in(const json& object) {
  const auto context = object.find("securityContext");
  if (context == object.end() || !context->is_object()) return std::nullopt;
  const auto profile = context->find("seccompProfile");
  if (profile == context->end() || !profile->is_object()) return std::nullopt;
  SeccompProfileRef ref{string_at(*profile, "type"), ""};
  if (ref.type == "Localhost") {
    ref.localhost_profile = string_at(*profile, "localhostProfile");
  } else if (ref.type != "RuntimeDefault" && ref.type != "Unconfined") {
    return std::nullopt;
  }
  return ref;
}

// The pod's profile, and the containers' own (spec.containers, initContainers and
// ephemeralContainers) by name.
struct SpecProfiles {
  SeccompProfileRef of_pod;
  std::map<std::string, SeccompProfileRef> of_containers;

  const SeccompProfileRef& effective(const std::string& container) const {
    const auto own = of_containers.find(container);
    return own == of_containers.end() ? of_pod : own->second;
  }
};

SpecProfiles seccomp_profiles(const json& pod) {
  SpecProfiles out;
  const auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) return out;
  out.of_pod = seccomp_profile_in(*spec).value_or(SeccompProfileRef{});
  for (const char* key : {"initContainers", "containers", "ephemeralContainers"}) {
    const auto list = spec->find(key);
    if (list == spec->end() || !list->is_array()) continue;
    for (const auto& c : *list) {
      if (!c.is_object()) continue;
      if (auto own = seccomp_profile_in(c)) out.of_containers[string_at(c, "name")] = *own;
    }
  }
  return out;
}

void add_containers(const json& status, const char* key, ContainerKind kind,
                    const SpecProfiles& profiles, PodInfo& pod) {
  const auto it = status.find(key);
  if (it == status.end() || !it->is_array()) return;
  for (const auto& c : *it) {
    if (!c.is_object()) continue;
    const std::string name = string_at(c, "name");
    const ContainerInfo container{name, kind, profiles.effective(name)};
    if (auto id = container_id_from_uri(string_at(c, "containerID")))
      pod.containers[*id] = container;
    // The instance before a restart: its cgroup may still hold a set to attribute.
    const auto last = c.find("lastState");
    if (last != c.end() && last->is_object() && last->contains("terminated") &&
        (*last)["terminated"].is_object()) {
      if (auto id = container_id_from_uri(string_at((*last)["terminated"], "containerID")))
        pod.containers[*id] = container;
    }
  }
}

}  // namespace

std::string string_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, std::string> string_map(const json& object, const char* key) {
  std::map<std::string, std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

std::optional<std::string> container_id_from_uri(std::string_view uri) {
  const auto pos = uri.find("://");
  if (pos == std::string_view::npos || pos == 0 || pos + 3 == uri.size()) return std::nullopt;
  return std::string(uri.substr(pos + 3));
}

common::Result<PodInfo> pod_info_from_object(const json& pod) {
  const auto metadata = pod.is_object() ? pod.find("metadata") : json::const_iterator();
  if (!pod.is_object() || metadata == pod.end() || !metadata->is_object())
    return common::make_error("pod object without metadata");
  PodInfo info;
  info.ns = string_at(*metadata, "namespace");
  info.name = string_at(*metadata, "name");
  info.uid = string_at(*metadata, "uid");
  if (info.ns.empty() || info.name.empty() || info.uid.empty())
    return common::make_error("pod object without namespace, name or uid");
  info.resource_version = string_at(*metadata, "resourceVersion");
  info.labels = string_map(*metadata, "labels");
  info.annotations = string_map(*metadata, "annotations");
  if (const auto owners = metadata->find("ownerReferences");
      owners != metadata->end() && owners->is_array()) {
    for (const auto& o : *owners) {
      if (!o.is_object()) continue;
      const auto controller = o.find("controller");
      info.owners.push_back(
          {string_at(o, "apiVersion"), string_at(o, "kind"), string_at(o, "name"),
           string_at(o, "uid"),
           controller != o.end() && controller->is_boolean() && controller->get<bool>()});
    }
  }
  if (const auto status = pod.find("status"); status != pod.end() && status->is_object()) {
    const auto profiles = seccomp_profiles(pod);
    add_containers(*status, "initContainerStatuses", ContainerKind::kInit, profiles, info);
    add_containers(*status, "containerStatuses", ContainerKind::kRegular, profiles, info);
    add_containers(*status, "ephemeralContainerStatuses", ContainerKind::kEphemeral, profiles,
                   info);
  }
  return info;
}

const OwnerReference* controlling_owner(const PodInfo& pod) {
  for (const auto& o : pod.owners) {
    if (o.controller) return &o;
  }
  return pod.owners.empty() ? nullptr : &pod.owners.front();
}

bool is_sandbox(const PodInfo& pod, std::string_view container_id) {
  return !container_id.empty() && !pod.containers.count(std::string(container_id));
}

}  // namespace tailor::agent
