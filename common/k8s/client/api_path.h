#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tailor::common {

using Query = std::vector<std::pair<std::string, std::string>>;

// The REST path of a collection or object: "/api/v1/namespaces/<ns>/pods/<name>",
// "/apis/apps/v1/namespaces/<ns>/replicasets", "/apis/<group>/<version>/<plural>"
// for cluster-scoped kinds (ns empty). `api_version` is "v1" or "<group>/<version>".
std::string api_path(const std::string& api_version, const std::string& plural,
                     const std::string& ns = "", const std::string& name = "");

// `path` with the percent-encoded query appended.
std::string with_query(const std::string& path, const Query& query);

}  // namespace tailor::common
