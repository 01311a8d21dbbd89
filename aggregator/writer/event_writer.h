#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "aggregator/ingest/rate_limiter.h"
#include "common/k8s/client/kube_client.h"
#include "common/metrics/prometheus_fwd.h"
#include "common/wire/workload_key.h"

namespace tailor::aggregator {

// Reasons of the Events the aggregator posts on workloads (docs/aggregator.md, "Events").
inline constexpr const char* kDeniedReason = "SeccompDenied";
inline constexpr const char* kDeniedSensitiveReason = "SeccompDeniedSensitive";
inline constexpr const char* kProposedReason = "SeccompProfileProposed";
inline constexpr const char* kHealedReason = "SeccompProfileHealed";

struct WorkloadEvent {
  common::WorkloadKey key;
  std::string reason;
  bool warning = true;  // type Warning, else Normal
  std::string message;
};

struct EventOptions {
  // Per namespace: a workload denied a hundred calls at once, or many workloads of one
  // namespace denying together, must not flood the API server's event store.
  double per_namespace_per_second = 0.5;
  double burst = 20;
};

// Posts core/v1 Events whose involvedObject is the workload the key names (Deployment,
// StatefulSet, DaemonSet, Job, CronJob, Pod, ...), in its namespace. Rate-limited per
// namespace; an Event refused by the limit or the API server is counted and dropped, never
// retried (the state label and the annotations keep the whole picture). Thread-safe.
class EventWriter {
 public:
  EventWriter(common::KubeClient& client, prometheus::Registry& registry, EventOptions options);

  // True once the API server accepted it.
  bool emit(const WorkloadEvent& event, int64_t now_unix_ms);

 private:
  common::KubeClient& client_;
  RateLimiter limiter_;
  prometheus::Family<prometheus::Counter>& events_;
  std::atomic<uint64_t> sequence_{0};
};

}  // namespace tailor::aggregator
