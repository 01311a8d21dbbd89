#include "tests/testbed/cgroup_layout.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/util/enum_names.h"

namespace tailor::testbed {
namespace {

namespace fs = std::filesystem;

// As a pod's status.qosClass names it.
constexpr common::EnumNames<QosClass, 3> kQosClasses = {{{QosClass::kGuaranteed, "Guaranteed"},
                                                         {QosClass::kBurstable, "Burstable"},
                                                         {QosClass::kBestEffort, "BestEffort"}}};

std::string qos_dir(QosClass qos) {
  return qos == QosClass::kBurstable ? "burstable" : "besteffort";
}

std::string underscored(std::string uid) {
  std::replace(uid.begin(), uid.end(), '-', '_');
  return uid;
}

void kill_members(const fs::path& dir) {
  if (std::ofstream kill(dir / "cgroup.kill"); kill) {
    kill << "1";
    if (kill.flush()) return;
  }
  // Kernels before 5.14 have no cgroup.kill.
  std::ifstream procs(dir / "cgroup.procs");
  for (pid_t pid; procs >> pid;) ::kill(pid, SIGKILL);
}

struct CgroupMount {
  std::string fstype;
  std::string mount_point;
};

// Hierarchy roots only: a mount of a sub-cgroup (root other than "/") is a view.
std::vector<CgroupMount> read_cgroup_mounts() {
  std::vector<CgroupMount> out;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    // "<id> <parent> <maj:min> <root> <mount point> <options> ... - <fstype> <source> ..."
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype != "cgroup2" && fstype != "cgroup") continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, dev, root, mount_point;
    head >> id >> parent >> dev >> root >> mount_point;
    if (root == "/") out.push_back({fstype, mount_point});
  }
  return out;
}

}  // namespace

common::Result<std::string> cgroup2_mount() {
  for (const auto& m : read_cgroup_mounts()) {
    if (m.fstype == "cgroup2") return m.mount_point;
  }
  return common::make_error("no cgroup2 hierarchy is mounted (see /proc/self/mountinfo)");
}

std::vector<std::string> cgroup_mounts() {
  std::vector<std::string> out;
  for (const auto& m : read_cgroup_mounts()) out.push_back(m.mount_point);
  return out;
}

std::string qos_name(QosClass qos) { return std::string(common::enum_name(kQosClasses, qos)); }

std::string pod_cgroup(CgroupDriver driver, QosClass qos, const std::string& pod_uid) {
  if (driver == CgroupDriver::kCgroupfs) {
    if (qos == QosClass::kGuaranteed) return "/kubepods/pod" + pod_uid;
    return "/kubepods/" + qos_dir(qos) + "/pod" + pod_uid;
  }
  if (qos == QosClass::kGuaranteed)
    return "/kubepods.slice/kubepods-pod" + underscored(pod_uid) + ".slice";
  const std::string q = qos_dir(qos);
  return "/kubepods.slice/kubepods-" + q + ".slice/kubepods-" + q + "-pod" + underscored(pod_uid) +
         ".slice";
}

std::string container_cgroup(CgroupDriver driver, CriFlavor cri, QosClass qos,
                             const std::string& pod_uid, const std::string& container_id) {
  std::string leaf;
  if (driver == CgroupDriver::kSystemd) {
    leaf = (cri == CriFlavor::kContainerd ? "cri-containerd-" : "crio-") + container_id + ".scope";
  } else {
    leaf = cri == CriFlavor::kContainerd ? container_id : "crio-" + container_id;
  }
  return pod_cgroup(driver, qos, pod_uid) + "/" + leaf;
}

std::string container_id_uri(CriFlavor cri, const std::string& container_id) {
  return (cri == CriFlavor::kContainerd ? "containerd://" : "cri-o://") + container_id;
}

common::Status remove_cgroup_tree(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return common::ok_status();
  std::vector<fs::path> dirs = {dir};
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path());
  }
  kill_members(dir);
  // Deepest first; a cgroup is removable once its processes are gone.
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
    return a.string().size() > b.string().size();
  });
  for (const auto& d : dirs) {
    for (int attempt = 0; attempt < 100 && ::rmdir(d.c_str()) != 0 && errno == EBUSY; ++attempt) {
      kill_members(d);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (fs::exists(dir, ec))
    return common::make_error("cannot remove cgroup " + dir + " (still busy)");
  return common::ok_status();
}

}  // namespace tailor::testbed
