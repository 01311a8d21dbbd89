#pragma once

#include <string>
#include <vector>

#include "common/util/result.h"

namespace tailor::testbed {

// Where the cgroup2 hierarchy is mounted: /sys/fs/cgroup on a pure-v2 host,
// /sys/fs/cgroup/unified on a hybrid one. Read from /proc/self/mountinfo.
common::Result<std::string> cgroup2_mount();

// Every mounted cgroup hierarchy root (v1 controllers and cgroup2): where
// runc also creates a container's directories on a hybrid host.
std::vector<std::string> cgroup_mounts();

enum class CgroupDriver { kCgroupfs, kSystemd };
enum class QosClass { kGuaranteed, kBurstable, kBestEffort };
// Whose naming the container scope follows.
enum class CriFlavor { kContainerd, kCrio };

std::string qos_name(QosClass qos);  // "Guaranteed", ...

// The kubelet's pod cgroup, relative to the node's cgroup root:
//   cgroupfs  /kubepods/besteffort/pod<uid>      (Guaranteed: /kubepods/pod<uid>)
//   systemd   /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid_>.slice
std::string pod_cgroup(CgroupDriver driver, QosClass qos, const std::string& pod_uid);

// The container's cgroup inside its pod cgroup, as the CRI runtime names it:
//   cgroupfs  <id> (containerd), crio-<id> (CRI-O)
//   systemd   cri-containerd-<id>.scope, crio-<id>.scope
std::string container_cgroup(CgroupDriver driver, CriFlavor cri, QosClass qos,
                             const std::string& pod_uid, const std::string& container_id);

// The containerID of a container status: containerd://<id> or cri-o://<id>.
std::string container_id_uri(CriFlavor cri, const std::string& container_id);

// Kills every process below `dir` (an absolute cgroup2 directory) and removes
// the directories, deepest first. Missing directories are not an error.
common::Status remove_cgroup_tree(const std::string& dir);

}  // namespace tailor::testbed
