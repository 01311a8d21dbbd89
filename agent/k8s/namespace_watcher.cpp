#include "agent/k8s/namespace_watcher.h"

#include <set>

#include "agent/k8s/pod_info.h"

namespace tailor::agent {
namespace {

using nlohmann::json;

// name and labels of a Namespace object; name empty when malformed.
std::pair<std::string, Labels> read_namespace(const json& object) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  return {string_at(*metadata, "name"), string_map(*metadata, "labels")};
}

}  // namespace

common::ReflectorOptions NamespaceWatcher::reflector_options(common::ReflectorOptions options) {
  options.collection_path = common::api_path("v1", "namespaces");
  options.selectors = {};
  return options;
}

NamespaceWatcher::NamespaceWatcher(common::KubeClient& client, common::ReflectorOptions options,
                                   Callback callback)
    : callback_(std::move(callback)),
      reflector_(client, reflector_options(std::move(options)),
                 {[this](const auto& objects) { replace(objects); },
                  [this](const auto& event) { apply(event); }}) {}

NamespaceWatcher::~NamespaceWatcher() { reflector_.stop(); }

Labels NamespaceWatcher::labels(const std::string& ns) const {
  std::lock_guard lock(mu_);
  const auto it = labels_.find(ns);
  return it == labels_.end() ? Labels{} : it->second;
}

void NamespaceWatcher::set(const std::string& ns, Labels labels) {
  {
    std::lock_guard lock(mu_);
    const auto it = labels_.find(ns);
    if (it != labels_.end() && it->second == labels) return;
    labels_[ns] = labels;
  }
  if (callback_) callback_(ns, labels);
}

void NamespaceWatcher::replace(const std::vector<json>& objects) {
  std::set<std::string> present;
  for (const auto& object : objects) {
    auto [name, labels] = read_namespace(object);
    if (name.empty()) continue;
    present.insert(name);
    set(name, std::move(labels));
  }
  std::vector<std::string> gone;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, labels] : labels_) {
      if (!present.count(name)) gone.push_back(name);
    }
    for (const auto& name : gone) labels_.erase(name);
  }
  if (callback_) {
    for (const auto& name : gone) callback_(name, {});
  }
}

void NamespaceWatcher::apply(const common::WatchEvent& event) {
  auto [name, labels] = read_namespace(event.object);
  if (name.empty()) return;
  if (event.type != "DELETED") return set(name, std::move(labels));
  {
    std::lock_guard lock(mu_);
    labels_.erase(name);
  }
  if (callback_) callback_(name, {});
}

}  // namespace tailor::agent
