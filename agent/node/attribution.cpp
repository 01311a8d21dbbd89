#include "agent/node/attribution.h"

namespace tailor::agent {
namespace {

Attribution ignored(std::string reason) {
  return {.verdict = Attribution::Verdict::ignore, .reason = std::move(reason)};
}

}  // namespace

PodAttribution::PodAttribution(common::KubeClient& client, AttributionOptions options)
    : options_(std::move(options)),
      pods_(client, PodWatcherOptions{options_.node_name, options_.reflector}),
      namespaces_(client, options_.reflector),
      workloads_(client) {}

void PodAttribution::start() {
  pods_.start();
  namespaces_.start();
}

void PodAttribution::stop() {
  pods_.stop();
  namespaces_.stop();
}

std::optional<PodInfo> PodAttribution::pod_of(const ContainerIdentity& container) const {
  if (!container.pod_uid.empty()) return pods_.pod(container.pod_uid);
  for (const auto& pod : pods_.pods())
    if (pod.containers.contains(container.container_id)) return pod;
  return std::nullopt;
}

Attribution PodAttribution::attribute(const ContainerIdentity& container,
                                      std::chrono::steady_clock::time_point now) {
  if (container.container_id.empty()) return ignored("not a container cgroup of a known runtime");
  const auto pod = pod_of(container);
  if (!pod) {
    // Held: the pod may reach the watch after its containers start.
    if (now - container.first_seen > options_.unknown_pod_grace)
      return ignored("no pod claimed it within the grace period");
    return {};
  }
  if (is_sandbox(*pod, container.container_id))
    return ignored("sandbox (pause) container of pod " + pod->ns + "/" + pod->name);
  // Held until the namespaces are listed: judged on a namespace not known yet, a pod of a
  // recorded namespace would be ignored for good (an agent started while the API server was
  // away lists pods and namespaces at different moments; the chaos test lost calls to it).
  if (!namespaces_.wait_synced(std::chrono::milliseconds(0))) return {};
  if (select_pod(*pod, namespaces_.labels(pod->ns), options_.selection) != Selection::kRecord)
    return ignored("pod " + pod->ns + "/" + pod->name + " is not selected for recording");
  // Held while the API server cannot say whose the pod's ReplicaSet or Job is; its calls wait
  // in its set meanwhile.
  const ContainerInfo& info = pod->containers.at(container.container_id);
  auto workload = workloads_.key_of(*pod, info.name);
  if (!workload) return {};
  return {.verdict = Attribution::Verdict::record,
          .pod_uid = pod->uid,
          .workload = std::move(workload),
          .seccomp = info.seccomp};
}

}  // namespace tailor::agent
