#include "common/k8s/workload_kinds.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace tailor::common {
namespace {

using nlohmann::json;

// The top owners agent/k8s/workload.cpp resolves pods to; a ReplicaSet or Job of its own is
// its own top owner.
constexpr std::array<WorkloadKind, 7> kKinds = {{
    {"Deployment", "apps/v1", "deployments", "deploy", "/spec/template/spec"},
    {"StatefulSet", "apps/v1", "statefulsets", "sts", "/spec/template/spec"},
    {"DaemonSet", "apps/v1", "daemonsets", "ds", "/spec/template/spec"},
    {"ReplicaSet", "apps/v1", "replicasets", "rs", "/spec/template/spec", true},
    {"Job", "batch/v1", "jobs", "", "/spec/template/spec", true},
    {"CronJob", "batch/v1", "cronjobs", "cj", "/spec/jobTemplate/spec/template/spec"},
    {"Pod", "v1", "pods", "po", "/spec"},
}};

bool same_letters(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

const WorkloadKind* workload_kind(std::string_view kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return &k;
  return nullptr;
}

const WorkloadKind* workload_kind_by_resource(std::string_view resource) {
  for (const auto& k : kKinds) {
    if (same_letters(resource, k.kind) || same_letters(resource, k.plural) ||
        (!k.short_name.empty() && same_letters(resource, k.short_name)))
      return &k;
  }
  return nullptr;
}

std::string workload_resource_names() {
  std::string names;
  for (const auto& k : kKinds) {
    std::string name(k.kind);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    names += (names.empty() ? "" : ", ") + name;
  }
  return names;
}

std::vector<PodContainer> pod_containers(const json& object, const WorkloadKind& kind) {
  std::vector<PodContainer> found;
  const json::json_pointer pointer{std::string(kind.pod_spec)};
  if (!object.contains(pointer) || !object.at(pointer).is_object()) return found;
  const json& spec = object.at(pointer);
  for (const char* list : {"containers", "initContainers"}) {
    const auto containers = spec.find(list);
    if (containers == spec.end() || !containers->is_array()) continue;
    for (const json& container : *containers) {
      if (container.is_object() && container.value("name", json()).is_string())
        found.push_back({list, &container});
    }
  }
  return found;
}

}  // namespace tailor::common
