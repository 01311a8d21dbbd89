#include "tests/testbed/discovery.h"

#include <algorithm>

namespace tailor::testbed {
namespace {

using nlohmann::json;

json group_json(const std::vector<ResourceKind>& kinds, const std::string& group) {
  json versions = json::array();
  for (const auto& k : kinds) {
    if (k.group != group) continue;
    json v = {{"groupVersion", k.group_version()}, {"version", k.version}};
    if (std::find(versions.begin(), versions.end(), v) == versions.end()) versions.push_back(v);
  }
  return {{"name", group}, {"versions", versions}, {"preferredVersion", versions.at(0)}};
}

}  // namespace

json api_versions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

json api_group_list(const std::vector<ResourceKind>& kinds) {
  json groups = json::array();
  std::vector<std::string> seen;
  for (const auto& k : kinds) {
    if (k.group.empty() || std::find(seen.begin(), seen.end(), k.group) != seen.end()) continue;
    seen.push_back(k.group);
    groups.push_back(group_json(kinds, k.group));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<json> api_group(const std::vector<ResourceKind>& kinds, const std::string& group) {
  if (std::none_of(kinds.begin(), kinds.end(), [&](const auto& k) { return k.group == group; })) {
    return std::nullopt;
  }
  json out = group_json(kinds, group);
  out["kind"] = "APIGroup";
  out["apiVersion"] = "v1";
  return out;
}

std::optional<json> api_resource_list(const std::vector<ResourceKind>& kinds,
                                      const std::string& group, const std::string& version) {
  json resources = json::array();
  std::string group_version;
  for (const auto& k : kinds) {
    if (k.group != group || k.version != version) continue;
    group_version = k.group_version();
    json r = {{"name", k.plural}, {"singularName", k.singular}, {"namespaced", k.namespaced},
              {"kind", k.kind},   {"verbs", k.verbs},           {"storageVersionHash", ""}};
    if (!k.short_names.empty()) r["shortNames"] = k.short_names;
    resources.push_back(r);
    if (k.status_subresource) {
      resources.push_back({{"name", k.plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", k.namespaced},
                           {"kind", k.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  if (group_version.empty()) return std::nullopt;
  return json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", group_version},
              {"resources", resources}};
}

}  // namespace tailor::testbed
