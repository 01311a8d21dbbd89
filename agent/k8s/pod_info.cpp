#include "agent/k8s/pod_info.h"

namespace tailor::agent {
namespace {

using nlohmann::json;

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

void add_containers(const json& status, const char* key, ContainerKind kind, PodInfo& pod) {
  const auto it = status.find(key);
  if (it == status.end() || !it->is_array()) return;
  for (const auto& c : *it) {
    if (!c.is_object()) continue;
    const ContainerInfo container{string_at(c, "name"), kind};
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
    add_containers(*status, "initContainerStatuses", ContainerKind::kInit, info);
    add_containers(*status, "containerStatuses", ContainerKind::kRegular, info);
    add_containers(*status, "ephemeralContainerStatuses", ContainerKind::kEphemeral, info);
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
