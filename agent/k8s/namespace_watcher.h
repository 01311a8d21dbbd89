#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "common/k8s/client/reflector.h"

namespace tailor::agent {

using Labels = std::map<std::string, std::string>;

// The labels of every namespace, kept current by a list + watch of
// /api/v1/namespaces, so that selection follows a namespace being labelled
// or unlabelled `tailor.dev/record=true`. The callback runs on the watcher's
// thread when a namespace's labels change (also when it appears or goes,
// with empty labels then).
class NamespaceWatcher {
 public:
  using Callback = std::function<void(const std::string& ns, const Labels& labels)>;

  NamespaceWatcher(common::KubeClient& client, common::ReflectorOptions options,
                   Callback callback = {});
  ~NamespaceWatcher();

  void start() { reflector_.start(); }
  void stop() { reflector_.stop(); }
  bool wait_synced(std::chrono::milliseconds timeout) { return reflector_.wait_synced(timeout); }

  // Empty when the namespace is unknown or has no labels.
  Labels labels(const std::string& ns) const;
  common::ReflectorCounters counters() const { return reflector_.counters(); }

 private:
  void replace(const std::vector<nlohmann::json>& objects);
  void apply(const common::WatchEvent& event);
  void set(const std::string& ns, Labels labels);

  static common::ReflectorOptions reflector_options(common::ReflectorOptions options);

  Callback callback_;
  mutable std::mutex mu_;
  std::map<std::string, Labels> labels_;
  common::Reflector reflector_;
};

}  // namespace tailor::agent
