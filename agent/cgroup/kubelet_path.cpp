#include "agent/cgroup/kubelet_path.h"

#include <algorithm>
#include <vector>

#include "agent/cgroup/container_lookup.h"
#include "common/util/enum_names.h"

namespace tailor::agent {
namespace {

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto part = path.substr(0, slash);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

constexpr common::EnumNames<PodQos, 3> kQosNames = {{{PodQos::kGuaranteed, "guaranteed"},
                                                     {PodQos::kBurstable, "burstable"},
                                                     {PodQos::kBestEffort, "besteffort"}}};

// Guaranteed pods have no QoS level of their own: their cgroups sit right under kubepods.
std::optional<PodQos> qos_from_name(std::string_view name) {
  for (PodQos qos : {PodQos::kBurstable, PodQos::kBestEffort})
    if (qos_name(qos) == name) return qos;
  return std::nullopt;
}

// A UID as the kubelet writes it into a cgroup name: a UUID, with '_' for
// '-' under systemd, or the 32 hex digits of a static pod's hash.
std::optional<std::string> normalize_uid(std::string_view raw) {
  std::string uid(raw);
  std::replace(uid.begin(), uid.end(), '_', '-');
  const bool valid =
      (uid.size() == 32 || uid.size() == 36) && std::all_of(uid.begin(), uid.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
      });
  return valid ? std::optional(uid) : std::nullopt;
}

std::optional<std::string> container_id(std::string_view name) {
  // CRI-O under the cgroupfs driver: "crio-<id>" without ".scope".
  constexpr std::string_view kCrio = "crio-";
  if (name.starts_with(kCrio) && !name.ends_with(".scope"))
    return container_id_from_cgroup_name(name.substr(kCrio.size()));
  return container_id_from_cgroup_name(name);
}

// The pod directory and QoS under "kubepods" (cgroupfs); the index of the pod
// component, or nullopt.
std::optional<size_t> cgroupfs_pod(const std::vector<std::string_view>& parts, size_t root,
                                   PodQos& qos) {
  size_t i = root + 1;
  if (i < parts.size()) {
    if (auto q = qos_from_name(parts[i])) {
      qos = *q;
      ++i;
    }
  }
  if (i >= parts.size() || !parts[i].starts_with("pod")) return std::nullopt;
  return i;
}

std::optional<size_t> systemd_pod(const std::vector<std::string_view>& parts, size_t root,
                                  PodQos& qos) {
  size_t i = root + 1;
  std::string prefix = "kubepods-";
  if (i < parts.size() && parts[i].starts_with("kubepods-") && parts[i].ends_with(".slice")) {
    const auto name = parts[i].substr(9, parts[i].size() - 9 - 6);
    if (auto q = qos_from_name(name)) {
      qos = *q;
      prefix += std::string(name) + "-";
      ++i;
    }
  }
  if (i >= parts.size() || !parts[i].starts_with(prefix + "pod") || !parts[i].ends_with(".slice"))
    return std::nullopt;
  return i;
}

}  // namespace

std::optional<KubeletCgroup> parse_kubelet_cgroup(std::string_view path) {
  const auto parts = components(path);
  const auto root = std::find_if(parts.begin(), parts.end(), [](std::string_view p) {
    return p == "kubepods" || p == "kubepods.slice";
  });
  if (root == parts.end()) return std::nullopt;
  const size_t root_index = static_cast<size_t>(root - parts.begin());
  const bool systemd = *root == "kubepods.slice";

  KubeletCgroup out;
  const auto pod =
      systemd ? systemd_pod(parts, root_index, out.qos) : cgroupfs_pod(parts, root_index, out.qos);
  if (!pod) return std::nullopt;
  std::string_view raw_uid = parts[*pod];
  // UIDs are hex, so the last "pod" is the one before the UID ("kubepods-pod<uid>").
  raw_uid.remove_prefix(raw_uid.rfind("pod") + 3);
  if (systemd) raw_uid.remove_suffix(6);  // ".slice"
  auto uid = normalize_uid(raw_uid);
  if (!uid) return std::nullopt;
  out.pod_uid = std::move(*uid);
  if (*pod + 1 < parts.size()) {
    auto id = container_id(parts[*pod + 1]);
    if (!id) return std::nullopt;
    out.container_id = std::move(*id);
  }
  return out;
}

std::string_view qos_name(PodQos qos) { return common::enum_name(kQosNames, qos); }

}  // namespace tailor::agent
