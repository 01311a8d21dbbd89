#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testbed/resource_kind.h"

namespace tailor::testbed {

// "5m3s", "2d4h": Kubernetes' HumanDuration, as AGE columns print it.
std::string human_duration(std::chrono::seconds d);

// Age of an RFC 3339 timestamp relative to now; "<unknown>" when unparsable.
std::string age_of(const std::string& timestamp);

// RFC 3339 UTC "2024-01-02T03:04:05Z".
std::string rfc3339(std::chrono::system_clock::time_point when);
std::string now_rfc3339();

// A meta.k8s.io/v1 Table of `objects`. include_object is the includeObject
// query parameter: None, Metadata (default) or Object.
nlohmann::json make_table(const ResourceKind& kind, const std::vector<nlohmann::json>& objects,
                          const std::string& list_resource_version,
                          const std::string& include_object);

// The value at a simple JSONPath (".status.status") or null.
nlohmann::json json_path_value(const nlohmann::json& object, const std::string& path);

}  // namespace tailor::testbed
