#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aggregator/lifecycle/tracked_state.h"
#include "aggregator/store/merge_store.h"
#include "aggregator/store/store_metrics.h"
#include "common/k8s/client/kube_client.h"
#include "common/profile/generate.h"
#include "common/profile/oci.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace tailor::aggregator {

struct WriterOptions {
  // Merge and serve /api/v1/profiles, never touch SeccompProfiles.
  bool record_only = false;
  // The shortest time between two writes of one profile. A change to a profile not written
  // within it is written at once; the changes that follow within it are written together when
  // it ends, so a burst of discoveries (a workload starting on many nodes) is two writes and a
  // profile is written at most once per debounce however often it changes.
  std::chrono::milliseconds debounce{2000};
  std::chrono::milliseconds tick{100};
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  // 409s in a row before a write counts as failed and backs off.
  int max_conflicts = 10;
  // Writes in flight at once; distinct workloads only, so no two race on one object.
  std::size_t concurrent_writes = 8;
  // Arg level, base syscalls (always_allow) and the rest of generate_profile's options. Every
  // runtime's calls after the filter: a workload's pods may run on nodes of either.
  common::GenerateOptions generate{.runtimes = common::all_runtimes()};
  // What a call outside the profile gets; return_errno (EPERM) by default, log to audit.
  common::Action default_action = common::Action::return_errno;
  // "v1", "v1beta1", or empty to ask discovery.
  std::string api_version;
  // When a workload counts as stable; its state is the object's tailor.dev/state label.
  LifecycleOptions lifecycle;
};

// Keeps one SeccompProfile per workload container up to date with the merged store. Writes
// only when a profile's set grew, debounced, with backoff on 409/429/5xx. It never overwrites:
// a write carries the resourceVersion of the object as this writer last wrote or read it, so
// any other change since (another replica, a person, a freeze) makes it 409; the writer then
// reads the object, merges what it holds into the store and writes the union with the read
// resourceVersion. Objects annotated tailor.dev/frozen=true are never changed.
class ProfileWriter {
 public:
  using WallClock = std::function<int64_t()>;  // unix milliseconds

  ProfileWriter(common::KubeClient& client, MergeStore& store, prometheus::Registry& registry,
                WriterOptions options, WallClock wall_clock = {});
  ~ProfileWriter();
  ProfileWriter(const ProfileWriter&) = delete;
  ProfileWriter& operator=(const ProfileWriter&) = delete;

  // Picks the version and rebuilds the store from the SeccompProfiles this aggregator manages,
  // so a restart loses nothing. Nothing to do in record-only mode. A failure is kept as the
  // reason the writer is not ready.
  common::Status start_up();
  // Until stop() or destruction: concurrent_writes workers, each writing the due profile whose
  // first unwritten change is oldest, and a thread that every tick learns the store's changes
  // (and once a second updates the store metrics). Until start_up() succeeds, that thread
  // retries it with backoff: an API server that cannot answer yet is no reason to exit.
  void start();
  // Returns once the writes in flight end; each request is bounded by the client's timeouts.
  void stop();
  // Without start(): learns the store's changes and writes every profile due now, oldest change
  // first, concurrent_writes at a time; returns when none is due.
  void run_once();

  bool ready() const { return ready_; }
  // Why it is not ready: the last start-up failure, or that it has not started up yet.
  std::string not_ready_reason();
  // Profiles whose latest version is not written yet.
  std::size_t pending();
  const std::string& api_version() const { return options_.api_version; }

 private:
  using Clock = std::chrono::steady_clock;
  // The object on the server as this writer last wrote or read it.
  struct Held {
    std::string resource_version;  // empty: unknown, read before writing
    std::size_t profile_hash = 0;  // of the profile it carries
    PublishedState state;          // its state label and denied-calls annotations
  };
  struct KeyState {
    uint64_t seen = 0;     // the latest store version the change feed reported
    uint64_t written = 0;  // the store version last written (or found unchanged or frozen)
    // First unwritten change; while a write is in flight, the first change since it started.
    std::optional<Clock::time_point> changed;
    bool writing = false;
    // The workload's state changed while its profile did not: written like a change.
    bool restate = false;
    Clock::time_point retry_at{};
    uint8_t failures = 0;                         // in a row, for the retry's backoff
    std::optional<Clock::time_point> last_write;  // when a write of it last ended
    Held held;
  };
  using Entry = std::map<common::WorkloadKey, KeyState>::value_type;
  // When a changed key may be written: at its first unwritten change, but not within the
  // debounce after its last write.
  Clock::time_point due_at(const KeyState& state) const;
  // (time, key): a queue ordered by time, then key.
  struct Earlier {
    bool operator()(const std::pair<Clock::time_point, Entry*>& a,
                    const std::pair<Clock::time_point, Entry*>& b) const {
      return a.first != b.first ? a.first < b.first : a.second->first < b.second->first;
    }
  };
  using Queue = std::set<std::pair<Clock::time_point, Entry*>, Earlier>;
  enum class Outcome { written, unchanged, frozen, failed };

  common::Status rebuild();

  void update_store_metrics(Clock::time_point now);
  Assessment assessment_of(const common::WorkloadKey& key, const TrackedWorkload& tracked,
                           int64_t now_unix_ms) const;
  // Queues the keys whose state differs from the one last published.
  void restate_locked(const std::vector<common::WorkloadKey>& keys, Clock::time_point now);
  void learn_changes_locked(Clock::time_point now);
  void enqueue_locked(Entry& entry, Clock::time_point now);
  // The waiting key due first, if it is due.
  Entry* take_due_locked(Clock::time_point now);
  std::size_t count_due_locked(Clock::time_point now, std::size_t limit);
  // Writes due keys until none is due (`until_idle`) or until stop().
  void work(bool until_idle);
  Outcome write(const common::WorkloadKey& key, Held& held, uint64_t& written_version);
  void settle_locked(Entry& entry, Outcome outcome, uint64_t version, Clock::time_point changed,
                     Held held, Clock::time_point now);

  common::KubeClient& client_;
  MergeStore& store_;
  WriterOptions options_;
  WallClock wall_clock_;
  StoreMetrics store_metrics_;
  Clock::time_point metrics_at_{};
  // What each key showed at the last metrics update: the ticker's own (run_once is not
  // called with start()).
  std::map<common::WorkloadKey, PublishedState> states_;
  prometheus::Family<prometheus::Counter>& writes_;
  prometheus::Histogram& latency_;
  prometheus::Gauge& pending_;
  std::atomic<bool> ready_{false};
  std::string start_up_error_;  // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  // Entries are never erased, so the queues point into the map.
  std::map<common::WorkloadKey, KeyState> keys_;
  Queue waiting_;      // changed, by due_at; neither written nor backing off
  Queue backing_off_;  // changed, by retry time, after a failed write
  std::mt19937_64 retry_random_{std::random_device{}()};  // the retries' jitter
  std::condition_variable tick_cv_;
  std::condition_variable work_cv_;
  std::thread ticker_;
  std::vector<std::thread> workers_;
};

}  // namespace tailor::aggregator
