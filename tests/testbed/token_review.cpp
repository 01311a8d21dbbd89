#include "tests/testbed/token_review.h"

#include <algorithm>

namespace tailor::testbed {
namespace {

using nlohmann::json;

json unauthenticated(json review, const std::string& error) {
  review["status"] = {{"authenticated", false}, {"user", json::object()}, {"error", error}};
  return review;
}

}  // namespace

json review_token(const json& request, const ServiceAccountTokens& tokens, const ObjectStore& store,
                  const std::vector<std::string>& api_audiences) {
  json review = {{"kind", "TokenReview"},
                 {"apiVersion", "authentication.k8s.io/v1"},
                 {"metadata", {{"creationTimestamp", nullptr}}},
                 {"spec", request.value("spec", json::object())}};
  const std::string token = review["spec"].value("token", "");
  auto wanted = review["spec"].value("audiences", std::vector<std::string>{});
  if (wanted.empty()) wanted = api_audiences;

  auto claims = tokens.verify(token);
  if (!claims)
    return unauthenticated(review, "[invalid bearer token, " + claims.error().message + "]");
  const auto token_audiences = claims->value("aud", std::vector<std::string>{});
  std::vector<std::string> granted;
  for (const auto& a : wanted) {
    if (std::find(token_audiences.begin(), token_audiences.end(), a) != token_audiences.end()) {
      granted.push_back(a);
    }
  }
  if (granted.empty()) {
    return unauthenticated(
        review, "[invalid bearer token, token audiences " + json(token_audiences).dump() +
                    " is invalid for the target audiences " + json(wanted).dump() + "]");
  }
  const json& k8s = (*claims)["kubernetes.io"];
  const std::string ns = k8s.value("namespace", "");
  const json pod = k8s.value("pod", json::object());
  if (!pod.empty()) {
    const auto stored = store.get("v1/pods", ns, pod.value("name", ""));
    if (!stored) {
      return unauthenticated(
          review, "[invalid bearer token, pods \"" + pod.value("name", "") + "\" not found]");
    }
    if ((*stored)["metadata"].value("uid", "") != pod.value("uid", "")) {
      return unauthenticated(review,
                             "[invalid bearer token, the UID in the bound object reference (" +
                                 pod.value("uid", "") +
                                 ") does not match the UID in record. The object might have "
                                 "been deleted and then recreated]");
    }
  }
  const json sa = k8s.value("serviceaccount", json::object());
  const json node = k8s.value("node", json::object());
  json extra = {
      {"authentication.kubernetes.io/credential-id", {"JTI=" + claims->value("jti", "")}}};
  if (!pod.empty()) {
    extra["authentication.kubernetes.io/pod-name"] = {pod.value("name", "")};
    extra["authentication.kubernetes.io/pod-uid"] = {pod.value("uid", "")};
  }
  if (!node.empty()) {
    extra["authentication.kubernetes.io/node-name"] = {node.value("name", "")};
    extra["authentication.kubernetes.io/node-uid"] = {node.value("uid", "")};
  }
  review["status"] = {
      {"authenticated", true},
      {"user",
       {{"username", claims->value("sub", "")},
        {"uid", sa.value("uid", "")},
        {"groups",
         {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}},
        {"extra", extra}}},
      {"audiences", granted}};
  return review;
}

}  // namespace tailor::testbed
