#include "tests/testbed/api_status.h"

namespace tailor::testbed {

nlohmann::json status_failure(int code, const std::string& reason, const std::string& message,
                              nlohmann::json details) {
  nlohmann::json status = {
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", reason},
      {"code", code}};
  if (!details.is_null()) status["details"] = std::move(details);
  return status;
}

nlohmann::json not_found(const std::string& qualified_resource, const std::string& name) {
  const auto dot = qualified_resource.find('.');
  nlohmann::json details = {{"name", name}, {"kind", qualified_resource.substr(0, dot)}};
  if (dot != std::string::npos) details["group"] = qualified_resource.substr(dot + 1);
  return status_failure(404, "NotFound", qualified_resource + " \"" + name + "\" not found",
                        details);
}

nlohmann::json invalid(const std::string& kind, const std::string& group, const std::string& name,
                       const std::vector<testing::FieldError>& errors) {
  nlohmann::json causes = nlohmann::json::array();
  for (const auto& e : errors) {
    causes.push_back({{"reason", e.reason()}, {"message", e.detail}, {"field", e.field}});
  }
  const std::string qualified = group.empty() ? kind : kind + "." + group;
  return status_failure(
      422, "Invalid",
      qualified + " \"" + name + "\" is invalid: " + testing::join_field_errors(errors),
      {{"name", name}, {"group", group}, {"kind", kind}, {"causes", causes}});
}

std::string reason_for(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "InternalError";
  }
}

}  // namespace tailor::testbed
