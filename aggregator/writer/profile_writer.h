#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aggregator/store/merge_store.h"
#include "aggregator/store/store_metrics.h"
#include "common/k8s/client/kube_client.h"
#include "common/profile/generate.h"
#include "common/profile/oci.h"

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace tailor::aggregator {

struct WriterOptions {
  // Merge and serve /api/v1/profiles, never touch SeccompProfiles.
  bool record_only = false;
  // Wait this long after a profile first changes before writing it, so a burst of
  // discoveries (a workload starting on many nodes) is one write.
  std::chrono::milliseconds debounce{2000};
  std::chrono::milliseconds tick{100};
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  // 409s in a row before a write counts as failed and backs off.
  int max_conflicts = 10;
  // Writes in flight at once; distinct workloads only, so no two race on one object.
  std::size_t concurrent_writes = 8;
  // Arg level, base syscalls (always_allow) and the rest of generate_profile's options.
  common::GenerateOptions generate;
  // What a call outside the profile gets; return_errno (EPERM) by default, log to audit.
  common::Action default_action = common::Action::return_errno;
  // "v1", "v1beta1", or empty to ask discovery.
  std::string api_version;
};

// Keeps one SeccompProfile per workload container up to date with the merged store. Writes
// only when a profile's set grew, debounced, with backoff on 409/429/5xx. It never overwrites:
// each write first reads the object, merges what it holds into the store (another replica's
// or an older run's discoveries) and writes the union with the read resourceVersion, so a
// concurrent write makes it 409 and start over. Objects annotated tailor.dev/frozen=true are
// never changed.
class ProfileWriter {
 public:
  using WallClock = std::function<int64_t()>;  // unix milliseconds

  ProfileWriter(common::KubeClient& client, MergeStore& store, prometheus::Registry& registry,
                WriterOptions options, WallClock wall_clock = {});
  ~ProfileWriter();
  ProfileWriter(const ProfileWriter&) = delete;
  ProfileWriter& operator=(const ProfileWriter&) = delete;

  // Picks the version and rebuilds the store from the SeccompProfiles this aggregator manages,
  // so a restart loses nothing. Nothing to do in record-only mode.
  common::Status start_up();
  // Runs run_once every tick on a thread of its own until stop() or destruction.
  void start();
  void stop();
  // One scan: writes every profile whose debounce has passed and whose backoff has ended.
  void run_once();

  bool ready() const { return ready_; }
  // Profiles whose latest version is not written yet.
  std::size_t pending() const;
  const std::string& api_version() const { return options_.api_version; }

 private:
  struct KeyState {
    uint64_t written = 0;  // the store version last written (or found frozen)
    std::optional<std::chrono::steady_clock::time_point> changed;  // first unwritten change
    std::chrono::steady_clock::time_point retry_at{};
    std::chrono::milliseconds backoff{0};
  };
  enum class Outcome { written, unchanged, frozen, failed };

  Outcome write(const common::WorkloadKey& key, uint64_t& written_version);
  void settle(KeyState& state, Outcome outcome, uint64_t version,
              std::chrono::steady_clock::time_point now);

  common::KubeClient& client_;
  MergeStore& store_;
  WriterOptions options_;
  WallClock wall_clock_;
  StoreMetrics store_metrics_;
  std::chrono::steady_clock::time_point metrics_at_{};
  prometheus::Family<prometheus::Counter>& writes_;
  prometheus::Histogram& latency_;
  mutable std::mutex mu_;
  std::map<common::WorkloadKey, KeyState> keys_;
  std::atomic<bool> ready_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tailor::aggregator
