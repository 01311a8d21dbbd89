#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace tailor::testbed {

// What a request path under /api or /apis names.
struct ApiRoute {
  enum class Target { kRootVersions, kGroupList, kGroup, kResourceList, kResource };
  Target target = Target::kResource;
  std::string group;
  std::string version;
  std::string ns;  // empty: cluster scope or all namespaces
  std::string resource;
  std::string name;         // empty: the collection
  std::string subresource;  // "status", "token" or empty
  bool ns_in_path = false;
};

// nullopt when the path is not an API path this server understands.
std::optional<ApiRoute> parse_api_path(const std::string& path);

// Whether `object` matches a label selector (a=b, a==b, a!=b, a, !a; comma
// separated) and a field selector (metadata.name, metadata.namespace,
// spec.nodeName, status.phase with = / == / !=). Empty selectors match all.
bool matches_labels(const nlohmann::json& object, const std::string& selector);
bool matches_fields(const nlohmann::json& object, const std::string& selector);

}  // namespace tailor::testbed
