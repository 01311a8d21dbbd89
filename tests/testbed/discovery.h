#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/testbed/resource_kind.h"

namespace tailor::testbed {

// Legacy (unaggregated) discovery documents, which kubectl falls back to when
// the server answers its aggregated-discovery Accept header with plain JSON.
// A group's preferred version is the first one in `kinds`.

nlohmann::json api_versions(const std::string& server_address);         // GET /api
nlohmann::json api_group_list(const std::vector<ResourceKind>& kinds);  // GET /apis
std::optional<nlohmann::json> api_group(const std::vector<ResourceKind>& kinds,
                                        const std::string& group);  // GET /apis/<g>
// GET /api/v1 or /apis/<g>/<v>; nullopt when nothing is served there.
std::optional<nlohmann::json> api_resource_list(const std::vector<ResourceKind>& kinds,
                                                const std::string& group,
                                                const std::string& version);

}  // namespace tailor::testbed
