#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/testbed/resource_kind.h"

namespace tailor::testbed {

// Just enough OpenAPI v3 for kubectl: the /openapi/v3 index and, per group
// version, PATCH operations tagged with x-kubernetes-group-version-kind that
// accept fieldValidation. kubectl then leaves validation to the server
// (fieldValidation=Strict) and, finding no strategic-merge media type, patches
// with JSON merge patch, as it does against CRDs. Schemas are included for
// custom resources.
nlohmann::json openapi_index(const std::vector<ResourceKind>& kinds);
std::optional<nlohmann::json> openapi_group_version(
    const std::vector<ResourceKind>& kinds,
    const std::string& path);  // "apis/g/v", "api/v1"

}  // namespace tailor::testbed
