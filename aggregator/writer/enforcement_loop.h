#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "aggregator/lifecycle/denial_metrics.h"
#include "aggregator/store/merge_store.h"
#include "aggregator/writer/auto_heal_opt_in.h"
#include "aggregator/writer/event_writer.h"
#include "aggregator/writer/profile_writer.h"
#include "common/k8s/client/kube_client.h"
#include "common/metrics/prometheus_fwd.h"

namespace tailor::aggregator {

struct EnforcementOptions {
  std::chrono::milliseconds tick{1000};
  EventOptions events;
  // How long a namespace's tailor.dev/auto-heal label is trusted before it is read again.
  std::chrono::milliseconds opt_in_ttl{std::chrono::seconds(30)};
};

// What the aggregator does about denials (docs/aggregator.md, "Lifecycle"): once a tick it
// assesses every workload container agents report enforcement or denials for, counts the
// denials (tailor_aggregator_denials_total), posts an Event per newly denied call, and heals:
// the calls heal_plan lets through go into the `<name>-proposed` SeccompProfile, or, in a
// namespace labelled tailor.dev/auto-heal=true, into the store, so the writer adds them to the
// enforced profile. Pods under a profile that is not the workload's own, and a workload that
// stops running under its profile while denying, get one log line and a count each. In
// record-only mode it only counts: it writes no object and posts no Event.
class EnforcementLoop {
 public:
  EnforcementLoop(common::KubeClient& client, MergeStore& store, const ProfileWriter& writer,
                  prometheus::Registry& registry, const WriterOptions& writer_options,
                  EnforcementOptions options);
  ~EnforcementLoop();
  EnforcementLoop(const EnforcementLoop&) = delete;
  EnforcementLoop& operator=(const EnforcementLoop&) = delete;

  void start();
  void stop();
  // One tick, without start(); nothing until the writer is ready (its API version is known).
  void run_once();

 private:
  using Call = std::pair<std::string, uint32_t>;  // arch, nr
  // What the loop last did for a workload container.
  struct Memory {
    WorkloadState state = WorkloadState::learning;
    std::set<Call> evented;                   // denied calls an Event named
    std::set<Call> proposed;                  // calls the proposal holds beyond the profile
    std::set<std::string> reported_profiles;  // foreign or mismatched, logged once each
  };

  void act(const common::WorkloadKey& key, const Assessment& assessment, bool gone,
           int64_t now_unix_ms);
  void check_profiles(const common::WorkloadKey& key, const Assessment& assessment, Memory& memory);
  void heal(const common::WorkloadKey& key, const Assessment& assessment, Memory& memory,
            int64_t now_unix_ms);
  void problem(const char* kind, const std::string& line);

  common::KubeClient& client_;
  MergeStore& store_;
  const ProfileWriter& writer_;
  WriterOptions writer_options_;
  EnforcementOptions options_;
  DenialMetrics denial_metrics_;
  EventWriter events_;
  AutoHealOptIn opt_in_;
  prometheus::Family<prometheus::Counter>& problems_;
  prometheus::Family<prometheus::Counter>& heals_;
  std::map<common::WorkloadKey, Memory> memory_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tailor::aggregator
