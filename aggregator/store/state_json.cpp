#include "aggregator/store/state_json.h"

namespace tailor::aggregator {

using nlohmann::json;

json state_json(const std::map<common::WorkloadKey, TrackedWorkload>& state, int64_t now_unix_ms) {
  json workloads = json::array();
  for (const auto& [key, tracked] : state) {
    json syscalls = json::array();
    for (const auto& [id, syscall] : tracked.merged.syscalls) {
      json entry = {{"arch", id.arch},
                    {"nr", id.nr},
                    {"name", syscall.name},
                    {"phase", common::phase_name(id.phase)},
                    {"count", syscall.count()},
                    {"first_seen_unix_ms", syscall.first_seen_unix_ms},
                    {"nodes", syscall.nodes(tracked.merged.runs).names()},
                    {"pods", syscall.pods()}};
      if (const auto& arg = syscall.rare->arg) {
        json values = json::array();
        for (const auto& [value, calls] : arg->values) values.push_back(value);
        entry["arg"] = {
            {"index", arg->index}, {"values", std::move(values)}, {"complete", arg->complete}};
      }
      syscalls.push_back(std::move(entry));
    }
    workloads.push_back(
        {{"key",
          {{"namespace", key.namespace_name},
           {"kind", key.kind},
           {"name", key.name},
           {"container", key.container}}},
         {"version", tracked.version},
         {"nodes", tracked.merged.nodes.names()},
         {"pods_seen", tracked.merged.pods_seen()},
         {"nodes_seen", tracked.merged.nodes_seen()},
         {"first_discovery_unix_ms", tracked.first_discovery_unix_ms},
         {"last_discovery_unix_ms", tracked.last_discovery_unix_ms},
         {"seconds_since_last_discovery", (now_unix_ms - tracked.last_discovery_unix_ms) / 1000},
         {"syscalls", std::move(syscalls)}});
  }
  return {{"workloads", std::move(workloads)}};
}

}  // namespace tailor::aggregator
