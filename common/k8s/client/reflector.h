#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/k8s/client/kube_client.h"
#include "common/util/backoff.h"

namespace tailor::common {

struct ReflectorOptions {
  std::string collection_path;  // api_path(...) of the collection
  ListOptions selectors;
  // Waits after a failure double from `backoff_initial` up to `backoff_max`,
  // each drawn from [half, all] of that so that the agents of many nodes do
  // not come back in step after an API server outage.
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30000};
  // Each watch asks the server to end it after this, times a random factor
  // in [1, 2), as client-go does, so watches are renewed before proxies time
  // them out.
  int watch_timeout_seconds = 300;
  std::chrono::seconds idle_timeout{120};
  uint32_t seed = std::random_device{}();
  // Where failures are reported; empty: the JSON-line log on stderr (common/util/log.h).
  std::function<void(const std::string& message)> log;
};

// Plain counters, to be exported as metrics.
struct ReflectorCounters {
  uint64_t lists = 0;         // successful lists, the first included
  uint64_t relists = 0;       // lists after the first: 410 Gone, a broken watch, garbage
  uint64_t list_errors = 0;   // failed lists
  uint64_t watch_errors = 0;  // watches that failed or carried garbage, ERROR events
};

struct ReflectorHandlers {
  // After every list: every object the collection holds now.
  std::function<void(const std::vector<nlohmann::json>& objects)> replace;
  // ADDED, MODIFIED and DELETED events between lists.
  std::function<void(const WatchEvent& event)> event;
};

// Keeps a local view of a collection current, as client-go's reflector does:
// list, then watch from the list's resourceVersion (with bookmarks, so a
// resumed watch starts from a recent version), list again when the watch
// ends with 410 Gone, fails or carries a line that is not an event, and back
// off with jitter while the server fails. Runs in its own thread; stop()
// returns promptly, also in the middle of a request or a backoff. Handlers run
// on that thread, one at a time.
class Reflector {
 public:
  Reflector(KubeClient& client, ReflectorOptions options, ReflectorHandlers handlers);
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  void start();
  void stop();

  // Whether a list has been delivered.
  bool synced() const { return synced_; }
  bool wait_synced(std::chrono::milliseconds timeout);
  ReflectorCounters counters() const;
  std::string resource_version() const;

 private:
  void run();
  bool list();
  // false: list again.
  bool watch();
  void back_off();

  KubeClient& client_;
  ReflectorOptions options_;
  ReflectorHandlers handlers_;
  std::mt19937 rng_;
  Cancellation cancellation_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> synced_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  ReflectorCounters counters_;
  std::string resource_version_;
  Backoff backoff_;  // reset by a watch that ends on time
};

}  // namespace tailor::common
