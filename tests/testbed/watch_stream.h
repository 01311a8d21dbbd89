#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "tests/testbed/object_store.h"
#include "tests/testbed/resource_kind.h"

namespace tailor::testbed {

struct WatchOptions {
  std::string ns;  // empty: all namespaces
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" or "0": start with the current objects as ADDED
  bool bookmarks = false;
  std::chrono::milliseconds bookmark_interval{1000};
  std::optional<std::chrono::seconds> timeout;
};

// One watch: turns store changes into the newline-delimited JSON events of a
// watch response. An object that stops matching the selectors is reported
// DELETED, one that starts matching ADDED, as the real watch cache does. A
// watch from a compacted resourceVersion, or open while the history is
// expired, ends with an ERROR event carrying a 410 Expired Status.
class WatchStream {
 public:
  WatchStream(const ObjectStore& store, const ResourceKind& kind, WatchOptions options);

  // The next events (possibly none) after waiting at most `wait`.
  std::string next(std::chrono::milliseconds wait);
  bool done() const { return done_; }

 private:
  std::string expired_event();
  std::string bookmark_event();
  bool matches(const nlohmann::json& object) const;

  const ObjectStore& store_;
  const ResourceKind& kind_;
  WatchOptions options_;
  uint64_t position_ = 0;
  bool started_ = false;
  bool done_ = false;
  std::chrono::steady_clock::time_point opened_;
  std::chrono::steady_clock::time_point last_bookmark_;
};

}  // namespace tailor::testbed
