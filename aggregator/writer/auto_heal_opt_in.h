#pragma once

#include <chrono>
#include <map>
#include <string>

#include "common/k8s/client/kube_client.h"

namespace tailor::aggregator {

// The namespace label that lets the aggregator add an enforced workload's denied calls to its
// profile itself, instead of proposing them.
inline constexpr const char* kAutoHealLabel = "tailor.dev/auto-heal";

// Whether a namespace opted into auto-heal, read from its object and trusted for `ttl`, so
// a denial storm costs one GET per namespace per `ttl` and a label removed takes effect within
// it. A namespace that cannot be read has not opted in. Not thread-safe: one caller.
class AutoHealOptIn {
 public:
  AutoHealOptIn(common::KubeClient& client, std::chrono::milliseconds ttl);

  bool opted_in(const std::string& namespace_name);

 private:
  struct Known {
    bool opted_in = false;
    std::chrono::steady_clock::time_point read_at;
  };
  common::KubeClient& client_;
  std::chrono::milliseconds ttl_;
  std::map<std::string, Known> known_;
};

}  // namespace tailor::aggregator
