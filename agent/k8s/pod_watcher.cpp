#include "agent/k8s/pod_watcher.h"

namespace tailor::agent {

common::ReflectorOptions PodWatcher::reflector_options(PodWatcherOptions options) {
  options.reflector.collection_path = common::api_path("v1", "pods");
  options.reflector.selectors.field_selector = "spec.nodeName=" + options.node;
  return options.reflector;
}

PodWatcher::PodWatcher(common::KubeClient& client, PodWatcherOptions options, PodCallback callback)
    : callback_(std::move(callback)),
      reflector_(client, reflector_options(std::move(options)),
                 {[this](const auto& objects) { replace(objects); },
                  [this](const auto& event) { apply(event); }}) {}

PodWatcher::~PodWatcher() { reflector_.stop(); }

std::optional<PodInfo> PodWatcher::pod(const std::string& uid) const {
  std::lock_guard lock(mu_);
  const auto it = pods_.find(uid);
  return it == pods_.end() ? std::nullopt : std::optional(it->second);
}

std::vector<PodInfo> PodWatcher::pods() const {
  std::lock_guard lock(mu_);
  std::vector<PodInfo> out;
  for (const auto& [uid, pod] : pods_) out.push_back(pod);
  return out;
}

PodWatcherCounters PodWatcher::counters() const {
  PodWatcherCounters out;
  out.reflector = reflector_.counters();
  std::lock_guard lock(mu_);
  out.bad_objects = bad_objects_;
  return out;
}

void PodWatcher::notify(PodChange change, const PodInfo& pod) {
  if (callback_) callback_(change, pod);
}

void PodWatcher::replace(const std::vector<nlohmann::json>& objects) {
  std::map<std::string, PodInfo> fresh;
  for (const auto& object : objects) {
    auto info = pod_info_from_object(object);
    if (!info) {
      std::lock_guard lock(mu_);
      ++bad_objects_;
      continue;
    }
    fresh[info->uid] = std::move(*info);
  }
  std::vector<std::pair<PodChange, PodInfo>> changes;
  {
    std::lock_guard lock(mu_);
    for (const auto& [uid, pod] : pods_) {
      if (!fresh.count(uid)) changes.emplace_back(PodChange::kDeleted, pod);
    }
    for (const auto& [uid, pod] : fresh) {
      const auto old = pods_.find(uid);
      if (old == pods_.end()) {
        changes.emplace_back(PodChange::kAdded, pod);
      } else if (old->second != pod) {
        changes.emplace_back(PodChange::kModified, pod);
      }
    }
    pods_ = std::move(fresh);
  }
  for (const auto& [change, pod] : changes) notify(change, pod);
}

void PodWatcher::apply(const common::WatchEvent& event) {
  auto info = pod_info_from_object(event.object);
  if (!info) {
    std::lock_guard lock(mu_);
    ++bad_objects_;
    return;
  }
  PodChange change;
  {
    std::lock_guard lock(mu_);
    if (event.type == "DELETED") {
      pods_.erase(info->uid);
      change = PodChange::kDeleted;
    } else {
      const bool known = pods_.count(info->uid) > 0;
      pods_[info->uid] = *info;
      change = known ? PodChange::kModified : PodChange::kAdded;
    }
  }
  notify(change, *info);
}

}  // namespace tailor::agent
