#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testbed/object_store.h"
#include "tests/testbed/resource_api.h"
#include "tests/testbed/service_account_tokens.h"

namespace tailor::testbed {

// Answers a TokenRequest (POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token) as the
// kube-apiserver does, so a process outside the bed (a shell test, a person) can get the
// bound token a kubelet would project: spec.audiences (the API audiences when empty),
// spec.expirationSeconds (at least 600, 3600 when absent) and spec.boundObjectRef, which must
// name a Pod that exists (its uid, when given, must match); the token carries the pod and its
// spec.nodeName. Unlike the real server the bed requires the binding (its tokens all name a
// pod) and keeps no ServiceAccounts, so any service account name is accepted.
ApiResponse request_token(const std::string& ns, const std::string& service_account,
                          const nlohmann::json& request, const ServiceAccountTokens& tokens,
                          const ObjectStore& store, const std::vector<std::string>& api_audiences);

}  // namespace tailor::testbed
