#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/k8s/field_error.h"

namespace tailor::testbed {

// A meta/v1 Status failure body, as every API error carries.
nlohmann::json status_failure(int code, const std::string& reason, const std::string& message,
                              nlohmann::json details = nullptr);

// 404 NotFound: pods "x" not found.
nlohmann::json not_found(const std::string& qualified_resource, const std::string& name);

// 422 Invalid with one cause per field error, worded as the API server does:
// SeccompProfile.security-profiles-operator.x-k8s.io "x" is invalid: [...]
nlohmann::json invalid(const std::string& kind, const std::string& group, const std::string& name,
                       const std::vector<testing::FieldError>& errors);

// The reason word for an HTTP status code (Conflict, TooManyRequests, ...).
std::string reason_for(int code);

}  // namespace tailor::testbed
