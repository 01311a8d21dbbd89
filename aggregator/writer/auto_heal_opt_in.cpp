#include "aggregator/writer/auto_heal_opt_in.h"

#include <nlohmann/json.hpp>

#include "common/k8s/client/api_path.h"
#include "common/util/log.h"

namespace tailor::aggregator {

using nlohmann::json;

AutoHealOptIn::AutoHealOptIn(common::KubeClient& client, std::chrono::milliseconds ttl)
    : client_(client), ttl_(ttl) {}

bool AutoHealOptIn::opted_in(const std::string& namespace_name) {
  const auto now = std::chrono::steady_clock::now();
  const auto known = known_.find(namespace_name);
  if (known != known_.end() && now - known->second.read_at < ttl_) return known->second.opted_in;
  bool opted_in = false;
  auto object = client_.get(common::api_path("v1", "namespaces", "", namespace_name));
  if (object) {
    const json labels = object->value("metadata", json::object()).value("labels", json::object());
    opted_in = labels.value(kAutoHealLabel, "") == "true";
  } else if (object.status() != 404) {
    common::log_line("warning", "reading namespace " + namespace_name + " for its " +
                                    kAutoHealLabel + " label: " + object.error().message +
                                    "; proposing instead of healing");
  }
  // Namespaces with enforced workloads only: as many as the store's namespaces at most.
  known_[namespace_name] = {opted_in, now};
  return opted_in;
}

}  // namespace tailor::aggregator
