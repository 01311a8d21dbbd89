#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/k8s/pod_info.h"
#include "common/k8s/client/reflector.h"

namespace tailor::agent {

enum class PodChange { kAdded, kModified, kDeleted };

struct PodWatcherOptions {
  std::string node;                    // spec.nodeName of the pods to watch
  common::ReflectorOptions reflector;  // collection_path and selectors are set by the watcher
};

struct PodWatcherCounters {
  common::ReflectorCounters reflector;
  uint64_t bad_objects = 0;  // pods without uid, name or namespace: skipped
};

// Called on the watcher's thread after the cache has changed. A re-list
// reports what changed while the watch was down: pods that came, changed
// (another resourceVersion) or went.
using PodCallback = std::function<void(PodChange change, const PodInfo& pod)>;

// The pods of one node, kept current by a list + watch of
// /api/v1/pods?fieldSelector=spec.nodeName=<node> in a background thread.
// The cache is keyed by pod UID and safe to read from any thread.
class PodWatcher {
 public:
  PodWatcher(common::KubeClient& client, PodWatcherOptions options, PodCallback callback = {});
  ~PodWatcher();

  void start() { reflector_.start(); }
  void stop() { reflector_.stop(); }
  bool wait_synced(std::chrono::milliseconds timeout) { return reflector_.wait_synced(timeout); }

  std::optional<PodInfo> pod(const std::string& uid) const;
  std::vector<PodInfo> pods() const;
  PodWatcherCounters counters() const;

 private:
  void replace(const std::vector<nlohmann::json>& objects);
  void apply(const common::WatchEvent& event);
  void notify(PodChange change, const PodInfo& pod);

  static common::ReflectorOptions reflector_options(PodWatcherOptions options);

  PodCallback callback_;
  mutable std::mutex mu_;
  std::map<std::string, PodInfo> pods_;
  uint64_t bad_objects_ = 0;
  common::Reflector reflector_;
};

}  // namespace tailor::agent
