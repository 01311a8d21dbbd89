#include "tests/testbed/openapi.h"

namespace tailor::testbed {
namespace {

using nlohmann::json;

std::string gv_path(const ResourceKind& k) {
  return k.group.empty() ? "api/" + k.version : "apis/" + k.group + "/" + k.version;
}

}  // namespace

json openapi_index(const std::vector<ResourceKind>& kinds) {
  json paths = json::object();
  for (const auto& k : kinds) {
    paths[gv_path(k)] = {
        {"serverRelativeURL", "/openapi/v3/" + gv_path(k) + "?hash=tailor-testbed"}};
  }
  return {{"paths", paths}};
}

std::optional<json> openapi_group_version(const std::vector<ResourceKind>& kinds,
                                          const std::string& path) {
  json paths = json::object();
  json schemas = json::object();
  for (const auto& k : kinds) {
    if (gv_path(k) != path) continue;
    const json gvk = {{"group", k.group}, {"version", k.version}, {"kind", k.kind}};
    const std::string item =
        "/" + path + (k.namespaced ? "/namespaces/{namespace}/" : "/") + k.plural + "/{name}";
    paths[item] = {
        {"patch",
         {{"x-kubernetes-group-version-kind", gvk},
          {"parameters",
           {{{"name", "fieldValidation"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
            {{"name", "fieldManager"}, {"in", "query"}, {"schema", {{"type", "string"}}}}}},
          {"responses", json::object()}}}};
    if (k.validator) {
      json schema = k.validator->schema();
      schema["x-kubernetes-group-version-kind"] = json::array({gvk});
      schemas[k.group + "." + k.version + "." + k.kind] = schema;
    }
  }
  if (paths.empty()) return std::nullopt;
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
              {"paths", paths},
              {"components", {{"schemas", schemas}}}};
}

}  // namespace tailor::testbed
