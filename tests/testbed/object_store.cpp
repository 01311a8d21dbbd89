#include "tests/testbed/object_store.h"

namespace tailor::testbed {
namespace {

// Enough for tests that replay a burst of changes; older ones count as compacted.
constexpr size_t kHistoryLimit = 20000;

std::string meta(const nlohmann::json& object, const char* field) {
  const auto& m = object.value("metadata", nlohmann::json::object());
  return m.value(field, "");
}

}  // namespace

ObjectStore::WriteResult ObjectStore::put(const std::string& resource, nlohmann::json object,
                                          Expect expect, std::optional<std::string> expected_rv) {
  std::lock_guard lock(mu_);
  const Key key{resource, meta(object, "namespace"), meta(object, "name")};
  auto it = objects_.find(key);
  if (expect == Expect::kAbsent && it != objects_.end()) {
    return {Outcome::kAlreadyExists, it->second};
  }
  if (expect == Expect::kPresent && it == objects_.end()) return {Outcome::kNotFound, {}};
  if (expected_rv && it != objects_.end() && meta(it->second, "resourceVersion") != *expected_rv) {
    return {Outcome::kConflict, it->second};
  }
  ++rv_;
  object["metadata"]["resourceVersion"] = std::to_string(rv_);
  StoreEvent event{it == objects_.end() ? "ADDED" : "MODIFIED", resource, object,
                   it == objects_.end() ? nlohmann::json() : it->second, rv_};
  objects_[key] = object;
  record(std::move(event));
  return {Outcome::kOk, std::move(object)};
}

ObjectStore::WriteResult ObjectStore::remove(const std::string& resource, const std::string& ns,
                                             const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = objects_.find({resource, ns, name});
  if (it == objects_.end()) return {Outcome::kNotFound, {}};
  ++rv_;
  nlohmann::json object = std::move(it->second);
  objects_.erase(it);
  object["metadata"]["resourceVersion"] = std::to_string(rv_);
  record({"DELETED", resource, object, object, rv_});
  return {Outcome::kOk, std::move(object)};
}

std::optional<nlohmann::json> ObjectStore::get(const std::string& resource, const std::string& ns,
                                               const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find({resource, ns, name});
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::pair<std::vector<nlohmann::json>, uint64_t> ObjectStore::list(const std::string& resource,
                                                                   const std::string& ns) const {
  std::lock_guard lock(mu_);
  std::vector<nlohmann::json> out;
  for (auto it = objects_.lower_bound({resource, "", ""});
       it != objects_.end() && std::get<0>(it->first) == resource; ++it) {
    if (ns.empty() || std::get<1>(it->first) == ns) out.push_back(it->second);
  }
  return {std::move(out), rv_};
}

uint64_t ObjectStore::resource_version() const {
  std::lock_guard lock(mu_);
  return rv_;
}

uint64_t ObjectStore::compacted_version() const {
  std::lock_guard lock(mu_);
  return compacted_;
}

std::vector<StoreEvent> ObjectStore::wait_events(uint64_t after, std::chrono::milliseconds timeout,
                                                 bool& expired) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return shut_down_ || rv_ > after || after < compacted_; });
  expired = after < compacted_;
  std::vector<StoreEvent> out;
  if (expired) return out;
  for (const auto& e : history_) {
    if (e.resource_version > after) out.push_back(e);
  }
  return out;
}

void ObjectStore::expire_history() {
  std::lock_guard lock(mu_);
  history_.clear();
  // Step past the current version so a watch positioned exactly at it expires too.
  compacted_ = ++rv_;
  changed_.notify_all();
}

void ObjectStore::shut_down() {
  std::lock_guard lock(mu_);
  shut_down_ = true;
  changed_.notify_all();
}

bool ObjectStore::is_shut_down() const {
  std::lock_guard lock(mu_);
  return shut_down_;
}

void ObjectStore::record(StoreEvent event) {
  history_.push_back(std::move(event));
  if (history_.size() > kHistoryLimit) {
    compacted_ = history_.front().resource_version;
    history_.pop_front();
  }
  changed_.notify_all();
}

}  // namespace tailor::testbed
