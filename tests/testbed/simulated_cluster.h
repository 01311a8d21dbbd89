#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "tests/testbed/cgroup_layout.h"
#include "tests/testbed/oci_container.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::testbed {

// A node: its own cgroup subtree, in which the kubelet paths of its pods live.
struct SimulatedNode {
  std::string name;
  CgroupDriver driver = CgroupDriver::kCgroupfs;
  CriFlavor cri = CriFlavor::kContainerd;
  // The node's root, relative to the cgroup2 mount ("/tailor-testbed-<pid>/<name>"),
  // and as an absolute directory.
  std::string cgroup_root;
  std::string cgroup_dir;
};

// The workload controller a pod belongs to. For a Deployment, the bed makes
// the ReplicaSet in between, as the real controllers do.
struct Owner {
  std::string kind;  // Deployment, StatefulSet, DaemonSet, Job (or ReplicaSet)
  std::string name;
};

struct PodSpec {
  std::string ns = "default";
  std::string name;  // empty: <owner>-<suffix> as the controller would name it
  Owner owner;
  QosClass qos = QosClass::kBestEffort;
  OciRuntime runtime = OciRuntime::kRunc;
  std::string container_name = "main";
  std::vector<std::string> args = {"sleep", "3600"};
  // The OCI linux.seccomp the runtime installs, and the Pod object's
  // spec.securityContext.seccompProfile ({type, localhostProfile}): a kubelet would derive the
  // first from the second, the bed takes both.
  std::optional<nlohmann::json> seccomp;
  std::optional<nlohmann::json> seccomp_profile;
  // Host files bound read-only at the same path in the container (e.g. a static test binary).
  std::vector<std::string> host_binds;
  std::map<std::string, std::string> labels;
};

// A running pod: its Pod object as registered and its container.
struct SimulatedPod {
  PodSpec spec;
  std::string node;
  std::string uid;
  int restarts = 0;
  std::unique_ptr<OciContainer> container;

  std::string container_id() const { return container ? container->id() : ""; }
};

// Simulated nodes and pods for one test, as root: one cgroup subtree per node
// with kubelet-style paths (cgroupfs or systemd driver, all QoS classes,
// containerd or CRI-O scope names), pods as real runc/crun containers there,
// and matching Node, Pod and owner objects in the test API server.
// Everything is torn down by teardown() or the destructor, so an ASSERT that
// ends a test early leaves no containers or cgroups behind; leftovers of a
// crashed run are removed on the next create().
class SimulatedCluster {
 public:
  static common::Result<std::unique_ptr<SimulatedCluster>> create(TestApiServer& server);
  ~SimulatedCluster();

  common::Result<const SimulatedNode*> add_node(const std::string& name,
                                                CgroupDriver driver = CgroupDriver::kCgroupfs,
                                                CriFlavor cri = CriFlavor::kContainerd);
  // Starts the pod's container on `node` and registers it Running.
  common::Result<const SimulatedPod*> start_pod(const std::string& node, PodSpec spec);
  // Kills the container; its status turns terminated (exit 137, not ready),
  // as the kubelet reports a crashed container before restarting it.
  common::Status kill_pod(const std::string& ns, const std::string& name);
  // A new container in the same pod (new id, restartCount + 1), as the kubelet
  // restarts a crashed container.
  common::Result<const SimulatedPod*> restart_pod(const std::string& ns, const std::string& name);
  // Deletes the pod and creates its replacement (new name suffix and uid) on
  // `node`, as a controller does after eviction.
  common::Result<const SimulatedPod*> reschedule_pod(const std::string& ns, const std::string& name,
                                                     const std::string& node);
  common::Status delete_pod(const std::string& ns, const std::string& name);

  const SimulatedPod* pod(const std::string& ns, const std::string& name) const;
  const SimulatedNode* node(const std::string& name) const;
  std::vector<const SimulatedPod*> pods() const;
  // Absolute cgroup2 directory of a pod's current container.
  std::string container_cgroup_dir(const SimulatedPod& pod) const;

  common::Status teardown();

 private:
  SimulatedCluster(TestApiServer& server, std::string cgroup_mount, std::string work_dir);
  common::Status ensure_owner(const std::string& ns, const Owner& owner);
  nlohmann::json owner_reference(const std::string& ns, const Owner& owner) const;
  nlohmann::json pod_object(const SimulatedPod& pod, const std::string& phase) const;
  common::Status run_container(SimulatedPod& pod);

  TestApiServer& server_;
  std::string cgroup_mount_;
  std::string root_;  // relative to the mount: "/tailor-testbed-<pid>-<n>"
  std::string work_dir_;
  std::map<std::string, SimulatedNode> nodes_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<SimulatedPod>> pods_;
  bool torn_down_ = false;
};

}  // namespace tailor::testbed
