#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testbed/object_store.h"
#include "tests/testbed/service_account_tokens.h"

namespace tailor::testbed {

// Answers a TokenReview for tokens `tokens` issued, as the kube-apiserver
// does for bound service-account tokens: the audiences must intersect (the
// API audiences when the review names none), the token must be unexpired and
// its pod must still exist with the same uid. The user info carries the
// service account and the pod-name, pod-uid, node-name, node-uid and
// credential-id extras.
nlohmann::json review_token(const nlohmann::json& review, const ServiceAccountTokens& tokens,
                            const ObjectStore& store,
                            const std::vector<std::string>& api_audiences);

}  // namespace tailor::testbed
