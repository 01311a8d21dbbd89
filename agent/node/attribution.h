#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "agent/k8s/namespace_watcher.h"
#include "agent/k8s/pod_watcher.h"
#include "agent/k8s/selection.h"
#include "agent/k8s/workload.h"
#include "common/k8s/client/kube_client.h"
#include "common/wire/workload_key.h"

namespace tailor::agent {

// What a container cgroup tells of itself: ids from its path or its name.
struct ContainerIdentity {
  std::string container_id;  // empty: not a container cgroup of a known runtime
  std::string pod_uid;       // empty when its path did not say
  std::chrono::steady_clock::time_point first_seen;
};

// The answer for one container: recorded for a workload, held until its pod is known, or
// ignored for a reason worth a log line.
struct Attribution {
  enum class Verdict { held, record, ignore };
  Verdict verdict = Verdict::held;
  std::string pod_uid;                          // record
  std::optional<common::WorkloadKey> workload;  // record
  SeccompProfileRef seccomp;                    // record: what its pod asks the kubelet for
  std::string reason;                           // ignore
};

struct AttributionOptions {
  std::string node_name;
  SelectionConfig selection;
  // A container whose pod never shows up is ignored after this long.
  std::chrono::seconds unknown_pod_grace{600};
  common::ReflectorOptions reflector;  // paths and selectors are the watchers' own
};

// cgroup -> pod -> workload: keeps the node's pods and the namespaces' labels current (list +
// watch), and says of each container whether it is recorded and as which workload container.
class PodAttribution {
 public:
  PodAttribution(common::KubeClient& client, AttributionOptions options);

  void start();
  void stop();
  // The node's pods and the namespaces are listed: from now on an unknown container's pod
  // is not yet started, and a known one can be judged.
  bool synced() {
    return pods_.wait_synced(std::chrono::milliseconds(0)) &&
           namespaces_.wait_synced(std::chrono::milliseconds(0));
  }

  Attribution attribute(const ContainerIdentity& container,
                        std::chrono::steady_clock::time_point now);

 private:
  std::optional<PodInfo> pod_of(const ContainerIdentity& container) const;

  AttributionOptions options_;
  PodWatcher pods_;
  NamespaceWatcher namespaces_;
  WorkloadResolver workloads_;
};

}  // namespace tailor::agent
