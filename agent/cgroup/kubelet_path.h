#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tailor::agent {

enum class PodQos { kGuaranteed, kBurstable, kBestEffort };

// What a cgroup made by the kubelet and the CRI runtime stands for.
struct KubeletCgroup {
  std::string pod_uid;       // with dashes, as metadata.uid
  std::string container_id;  // empty: the pod's own cgroup
  PodQos qos = PodQos::kGuaranteed;

  bool operator==(const KubeletCgroup&) const = default;
};

// Parses a cgroup2 path (relative to the mount, or to any root above the
// kubelet's: the bed puts each node under a subtree of its own) laid out by
// the kubelet's
//   cgroupfs driver  /kubepods[/burstable|/besteffort]/pod<uid>/<container>
//   systemd driver
//   /kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid_>.slice/<container>
// where <container> is containerd's <id> or cri-containerd-<id>.scope,
// CRI-O's crio-<id>[.scope] or docker's docker-<id>.scope. Cgroups nested in
// a container's belong to the container. nullopt for anything else,
// including the kubepods roots, QoS slices and runtime monitors
// (crio-conmon-<id>.scope), which are no container.
std::optional<KubeletCgroup> parse_kubelet_cgroup(std::string_view path);

std::string_view qos_name(PodQos qos);  // "guaranteed", "burstable", "besteffort"

}  // namespace tailor::agent
