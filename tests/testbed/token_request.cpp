#include "tests/testbed/token_request.h"

#include "tests/testbed/api_status.h"
#include "tests/testbed/table.h"

namespace tailor::testbed {
namespace {

using nlohmann::json;

ApiResponse bad_request(const std::string& message) {
  return {400, status_failure(400, "BadRequest", message)};
}

}  // namespace

ApiResponse request_token(const std::string& ns, const std::string& service_account,
                          const json& request, const ServiceAccountTokens& tokens,
                          const ObjectStore& store, const std::vector<std::string>& api_audiences) {
  const json spec = request.is_object() ? request.value("spec", json::object()) : json();
  const auto is = [&](const char* field, bool (json::*type)() const noexcept) {
    return !spec.contains(field) || (spec[field].*type)();
  };
  if (!spec.is_object() || !is("audiences", &json::is_array) ||
      !is("expirationSeconds", &json::is_number_integer) ||
      !is("boundObjectRef", &json::is_object)) {
    return bad_request("invalid TokenRequest");
  }
  BoundTokenClaims claims{ns, service_account};
  claims.audiences = spec.value("audiences", std::vector<std::string>{});
  if (claims.audiences.empty()) claims.audiences = api_audiences;
  claims.ttl = std::chrono::seconds(spec.value("expirationSeconds", int64_t{3600}));
  if (claims.ttl < std::chrono::minutes(10)) {
    return bad_request(
        "spec.expirationSeconds: Invalid value: " + std::to_string(claims.ttl.count()) +
        ": may not specify a duration less than 10 minutes");
  }
  const json ref = spec.value("boundObjectRef", json::object());
  if (ref.value("kind", "") != "Pod") {
    return bad_request("spec.boundObjectRef: the bed issues tokens bound to a Pod only");
  }
  const std::string name = ref.value("name", "");
  const auto pod = store.get("v1/pods", ns, name);
  if (!pod) return {404, not_found("pods", name)};
  const std::string uid = (*pod)["metadata"].value("uid", "");
  if (const std::string want = ref.value("uid", ""); !want.empty() && want != uid) {
    return {409, status_failure(409, "Conflict",
                                "the UID in the bound object reference (" + want +
                                    ") does not match the UID in record. The object might "
                                    "have been deleted and then recreated")};
  }
  claims.pod_name = name;
  claims.pod_uid = uid;
  claims.node_name = (*pod)["spec"].value("nodeName", "");
  json answer = {
      {"apiVersion", "authentication.k8s.io/v1"},
      {"kind", "TokenRequest"},
      {"metadata", {{"name", service_account}, {"namespace", ns}}},
      {"spec", spec},
      {"status",
       {{"token", tokens.issue(claims)},
        {"expirationTimestamp", rfc3339(std::chrono::system_clock::now() + claims.ttl)}}}};
  answer["spec"]["audiences"] = claims.audiences;
  answer["spec"]["expirationSeconds"] = claims.ttl.count();
  return {201, answer};
}

}  // namespace tailor::testbed
