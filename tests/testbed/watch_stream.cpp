#include "tests/testbed/watch_stream.h"

#include "tests/testbed/api_route.h"
#include "tests/testbed/api_status.h"

namespace tailor::testbed {
namespace {

std::string line(const std::string& type, const nlohmann::json& object) {
  return nlohmann::json{{"type", type}, {"object", object}}.dump() + "\n";
}

}  // namespace

WatchStream::WatchStream(const ObjectStore& store, const ResourceKind& kind, WatchOptions options)
    : store_(store),
      kind_(kind),
      options_(std::move(options)),
      opened_(std::chrono::steady_clock::now()),
      last_bookmark_(opened_) {}

bool WatchStream::matches(const nlohmann::json& object) const {
  if (!object.is_object()) return false;
  const auto& m = object["metadata"];
  if (!options_.ns.empty() && m.value("namespace", "") != options_.ns) return false;
  return matches_labels(object, options_.label_selector) &&
         matches_fields(object, options_.field_selector);
}

std::string WatchStream::expired_event() {
  done_ = true;
  return line("ERROR", status_failure(410, "Expired",
                                      "too old resource version: " + std::to_string(position_) +
                                          " (" + std::to_string(store_.compacted_version()) + ")"));
}

std::string WatchStream::bookmark_event() {
  last_bookmark_ = std::chrono::steady_clock::now();
  return line("BOOKMARK", {{"kind", kind_.kind},
                           {"apiVersion", kind_.group_version()},
                           {"metadata", {{"resourceVersion", std::to_string(position_)}}}});
}

std::string WatchStream::next(std::chrono::milliseconds wait) {
  std::string out;
  if (!started_) {
    started_ = true;
    const auto& rv = options_.resource_version;
    if (rv.empty() || rv == "0") {
      auto [objects, current] = store_.list(kind_.key(), options_.ns);
      position_ = current;
      for (const auto& o : objects) {
        if (matches(o)) out += line("ADDED", o);
      }
      return out;
    }
    try {
      position_ = std::stoull(rv);
    } catch (const std::exception&) {
      position_ = 0;
    }
  }
  const auto now = std::chrono::steady_clock::now();
  if (options_.timeout && now - opened_ >= *options_.timeout) {
    done_ = true;
    return out;
  }
  bool expired = false;
  auto events = store_.wait_events(position_, wait, expired);
  if (expired) return expired_event();
  if (store_.is_shut_down()) done_ = true;
  for (const auto& e : events) {
    position_ = e.resource_version;
    if (e.resource != kind_.key()) continue;
    const bool now_in = e.type != "DELETED" && matches(e.object);
    const bool was_in = matches(e.previous);
    if (now_in && was_in) {
      out += line("MODIFIED", e.object);
    } else if (now_in) {
      out += line("ADDED", e.object);
    } else if (was_in) {
      out += line("DELETED", e.object);
    }
  }
  if (options_.bookmarks && out.empty() &&
      std::chrono::steady_clock::now() - last_bookmark_ >= options_.bookmark_interval) {
    out += bookmark_event();
  }
  return out;
}

}  // namespace tailor::testbed
