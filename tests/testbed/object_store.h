#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace tailor::testbed {

// One change, as a watch reports it. `previous` is the object before a
// MODIFIED or DELETED change so that a filtered watch can tell whether the
// object entered or left its selection.
struct StoreEvent {
  std::string type;  // ADDED, MODIFIED, DELETED
  std::string resource;
  nlohmann::json object;
  nlohmann::json previous;
  uint64_t resource_version = 0;
};

// The etcd stand-in: objects of every resource under one resourceVersion
// counter, plus a bounded change log that watches read from. "Compaction"
// (expire_history) makes older resourceVersions unusable, so watches that
// start from them, or are open, end with 410 Gone as on a real cluster.
class ObjectStore {
 public:
  enum class Outcome { kOk, kNotFound, kAlreadyExists, kConflict };

  struct WriteResult {
    Outcome outcome = Outcome::kOk;
    nlohmann::json object;  // stored object, or the current one on kConflict
  };

  // Precondition on the stored resourceVersion for put().
  enum class Expect { kAbsent, kPresent, kAny };

  // Stores `object` (its metadata.namespace/name are the key) and stamps a new
  // resourceVersion. `expected_rv` (if set) must equal the stored one.
  WriteResult put(const std::string& resource, nlohmann::json object, Expect expect,
                  std::optional<std::string> expected_rv = std::nullopt);
  WriteResult remove(const std::string& resource, const std::string& ns, const std::string& name);

  std::optional<nlohmann::json> get(const std::string& resource, const std::string& ns,
                                    const std::string& name) const;
  // Objects of `resource` in `ns` (all namespaces when empty) and the current
  // resourceVersion of the store.
  std::pair<std::vector<nlohmann::json>, uint64_t> list(const std::string& resource,
                                                        const std::string& ns) const;

  uint64_t resource_version() const;
  // The oldest resourceVersion a watch may start after.
  uint64_t compacted_version() const;

  // Waits until events newer than `after` exist, the history is expired, the
  // store shuts down or `timeout` passes. Returns the events (possibly none).
  // `expired` is set when `after` predates the retained history.
  std::vector<StoreEvent> wait_events(uint64_t after, std::chrono::milliseconds timeout,
                                      bool& expired) const;

  // Forgets all history: every open watch and every watch or list from an
  // older resourceVersion gets 410 Gone.
  void expire_history();
  // Wakes all waiters for good; used when the server stops.
  void shut_down();
  bool is_shut_down() const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // resource, ns, name

  void record(StoreEvent event);

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<Key, nlohmann::json> objects_;
  std::deque<StoreEvent> history_;
  uint64_t rv_ = 1;
  uint64_t compacted_ = 0;
  bool shut_down_ = false;
};

}  // namespace tailor::testbed
