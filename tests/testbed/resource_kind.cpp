#include "tests/testbed/resource_kind.h"

#include <algorithm>
#include <cctype>

#include "tests/testbed/table.h"

namespace tailor::testbed {
namespace {

using nlohmann::json;

const std::vector<std::string> kAllVerbs = {"create", "delete", "get",  "list",
                                            "patch",  "update", "watch"};

std::string or_none(const json& v) {
  return v.is_string() && !v.get<std::string>().empty() ? v.get<std::string>() : "<none>";
}

TableColumn age_column() {
  return {"Age", "string", 0,
          [](const json& o) { return json(age_of(o["metadata"].value("creationTimestamp", ""))); }};
}

ResourceKind kind(std::string group, std::string version, std::string plural, std::string singular,
                  std::string kind_name, bool namespaced, std::vector<std::string> short_names,
                  std::vector<TableColumn> columns) {
  ResourceKind k;
  k.group = std::move(group);
  k.version = std::move(version);
  k.plural = std::move(plural);
  k.singular = std::move(singular);
  k.kind = std::move(kind_name);
  k.namespaced = namespaced;
  k.short_names = std::move(short_names);
  k.verbs = kAllVerbs;
  k.columns = std::move(columns);
  return k;
}

std::vector<TableColumn> pod_columns() {
  const auto statuses = [](const json& o) {
    return json_path_value(o, ".status.containerStatuses").is_array()
               ? o["status"]["containerStatuses"]
               : json::array();
  };
  return {
      {"Ready", "string", 0,
       [statuses](const json& o) {
         const auto s = statuses(o);
         const auto ready = std::count_if(s.begin(), s.end(),
                                          [](const json& c) { return c.value("ready", false); });
         const auto containers = json_path_value(o, ".spec.containers");
         const size_t total = containers.is_array() ? containers.size() : s.size();
         return json(std::to_string(ready) + "/" + std::to_string(total));
       }},
      {"Status", "string", 0,
       [](const json& o) {
         if (o["metadata"].contains("deletionTimestamp")) return json("Terminating");
         return json(or_none(json_path_value(o, ".status.phase")));
       }},
      {"Restarts", "string", 0,
       [statuses](const json& o) {
         int64_t restarts = 0;
         for (const auto& c : statuses(o)) restarts += c.value("restartCount", 0);
         return json(std::to_string(restarts));
       }},
      age_column(),
      {"IP", "string", 1,
       [](const json& o) { return json(or_none(json_path_value(o, ".status.podIP"))); }},
      {"Node", "string", 1,
       [](const json& o) { return json(or_none(json_path_value(o, ".spec.nodeName"))); }},
      {"Nominated Node", "string", 1, [](const json&) { return json("<none>"); }},
      {"Readiness Gates", "string", 1, [](const json&) { return json("<none>"); }},
  };
}

// As kubectl prints core/v1 Events.
std::vector<TableColumn> event_columns() {
  const auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  return {
      {"Last Seen", "string", 0,
       [](const json& o) { return json(age_of(o.value("lastTimestamp", ""))); }},
      {"Type", "string", 0, [](const json& o) { return json(or_none(o.value("type", json()))); }},
      {"Reason", "string", 0,
       [](const json& o) { return json(or_none(o.value("reason", json()))); }},
      {"Object", "string", 0,
       [lower](const json& o) {
         const json involved = o.value("involvedObject", json::object());
         return json(lower(involved.value("kind", "")) + "/" + involved.value("name", ""));
       }},
      {"Message", "string", 0,
       [](const json& o) { return json(or_none(o.value("message", json()))); }},
  };
}

std::vector<TableColumn> node_columns() {
  return {
      {"Status", "string", 0,
       [](const json& o) {
         for (const auto& c : json_path_value(o, ".status.conditions")) {
           if (c.value("type", "") == "Ready") {
             return json(c.value("status", "") == "True" ? "Ready" : "NotReady");
           }
         }
         return json("Unknown");
       }},
      {"Roles", "string", 0, [](const json&) { return json("<none>"); }},
      age_column(),
      {"Version", "string", 0,
       [](const json& o) {
         return json(or_none(json_path_value(o, ".status.nodeInfo.kubeletVersion")));
       }},
  };
}

}  // namespace

std::vector<ResourceKind> builtin_kinds() {
  std::vector<ResourceKind> kinds = {
      kind("", "v1", "pods", "pod", "Pod", true, {"po"}, pod_columns()),
      kind("", "v1", "nodes", "node", "Node", false, {"no"}, node_columns()),
      kind("", "v1", "events", "event", "Event", true, {"ev"}, event_columns()),
      kind("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"},
           {{"Status", "string", 0,
             [](const json& o) {
               return json(json_path_value(o, ".status.phase").is_string()
                               ? o["status"]["phase"].get<std::string>()
                               : "Active");
             }},
            age_column()}),
      kind("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {},
           {{"Holder", "string", 0,
             [](const json& o) {
               return json(or_none(json_path_value(o, ".spec.holderIdentity")));
             }},
            age_column()}),
      kind("apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"},
           {age_column()}),
      kind("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, {"rs"}, {age_column()}),
      kind("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"},
           {age_column()}),
      kind("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}, {age_column()}),
      kind("batch", "v1", "jobs", "job", "Job", true, {}, {age_column()}),
      kind("batch", "v1", "cronjobs", "cronjob", "CronJob", true, {"cj"}, {age_column()}),
  };
  kinds[0].status_subresource = true;
  kinds[1].status_subresource = true;
  return kinds;
}

std::vector<ResourceKind> crd_kinds(const testing::Crd& crd,
                                    const std::vector<std::string>& namespaced_versions) {
  std::vector<ResourceKind> out;
  for (const auto& v : crd.versions) {
    if (!v.served) continue;
    const bool namespaced =
        crd.namespaced || std::find(namespaced_versions.begin(), namespaced_versions.end(),
                                    v.name) != namespaced_versions.end();
    std::vector<TableColumn> columns;
    for (const auto& c : v.printer_columns) {
      const bool date = c.type == "date";
      columns.push_back({c.name, c.type, c.priority, [path = c.json_path, date](const json& o) {
                           json value = json_path_value(o, path);
                           if (date && value.is_string())
                             return json(age_of(value.get<std::string>()));
                           return value.is_null() ? json("") : value;
                         }});
    }
    ResourceKind k = kind(crd.group, v.name, crd.plural, crd.singular, crd.kind, namespaced,
                          crd.short_names, std::move(columns));
    k.unconditional_update = false;
    k.status_subresource = v.status_subresource;
    k.validator = std::make_shared<testing::SchemaValidator>(v.schema);
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace tailor::testbed
