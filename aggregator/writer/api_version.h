#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/k8s/client/kube_client.h"
#include "common/util/result.h"

namespace tailor::aggregator {

// "v1" when the API group's discovery document (GET /apis/<group>) lists it, else "v1beta1"
// (SPO before its 2025 switch); an error when neither is served.
common::Result<std::string> pick_spo_version(const nlohmann::json& api_group);

// Asks the API server which SeccompProfile version to write.
common::Result<std::string> discover_spo_version(common::KubeClient& client);

}  // namespace tailor::aggregator
