#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "agent/k8s/pod_info.h"
#include "common/k8s/client/kube_client.h"
#include "common/wire/workload_key.h"

namespace tailor::agent {

// The top owner of a pod, which its replicas on every node share.
struct Workload {
  std::string kind;  // Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet, Pod, ...
  std::string name;

  bool operator==(const Workload&) const = default;
};

// What the resolver reads of an owner it GETs (a ReplicaSet or Job): its uid, to tell it from
// a namesake, and its own controller owner, if any.
struct OwnerObject {
  std::string uid;
  std::optional<OwnerReference> controller;
};
// An error says why the object is malformed, to follow its kind and name.
common::Result<OwnerObject> read_owner_object(const nlohmann::json& object);

struct WorkloadCounters {
  uint64_t lookups = 0;     // GETs of owners
  uint64_t fallbacks = 0;   // the chain was broken: the immediate owner was used
  uint64_t unanswered = 0;  // the API server did not answer a GET: no answer yet
};

// Finds the workload a pod belongs to by following controller owner
// references, as the controllers set them: ReplicaSet -> Deployment,
// Job -> CronJob; StatefulSet, DaemonSet and kinds Tailor does not know are
// taken as they are; a pod without owner is its own workload (kind Pod).
// The owner of an owner is read with a GET and cached by the owner's UID
// (UIDs are never reused, so the entry cannot go stale). When the API server
// does not answer a GET (no answer, 408, 429, 5xx) there is no answer yet
// (nullopt): a guess would file the pod's calls under its ReplicaSet for good,
// a profile no one uses. When the chain is broken (the owner is gone, was
// replaced or is not readable, a loop, too deep), the immediate owner is the
// answer and the fallback is counted. Failures are not cached, so the next
// call retries. Thread-safe.
class WorkloadResolver {
 public:
  explicit WorkloadResolver(common::KubeClient& client) : client_(client) {}

  std::optional<Workload> workload_of(const PodInfo& pod);
  std::optional<common::WorkloadKey> key_of(const PodInfo& pod, const std::string& container);
  WorkloadCounters counters() const;

 private:
  // The controller owner of the object `ref` names, read from the API.
  // nullopt: it has none; error: the GET failed (`unanswered` says whether the API server
  // failed to answer it) or the object is not the one the pod names.
  common::Result<std::optional<OwnerReference>> owner_of(const std::string& ns,
                                                         const OwnerReference& ref,
                                                         bool& unanswered);

  common::KubeClient& client_;
  mutable std::mutex mu_;
  std::map<std::string, std::optional<OwnerReference>> owners_;  // by object UID
  WorkloadCounters counters_;
};

}  // namespace tailor::agent
