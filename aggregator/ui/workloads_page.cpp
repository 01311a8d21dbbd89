#include "aggregator/ui/workloads_page.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "common/html/page.h"
#include "common/html/svg.h"
#include "common/util/clock.h"

namespace tailor::aggregator {
namespace {

using common::html::cell;
using common::html::escape;
using common::html::markup_cell;
using common::html::number_cell;

// What a row shows, taken under the store's lock.
struct Row {
  common::WorkloadKey key;
  uint64_t replicas = 0;
  uint64_t nodes = 0;
  int64_t first_discovery_unix_ms = 0;
  int64_t last_discovery_unix_ms = 0;
  std::vector<int64_t> first_seen_unix_ms;  // per distinct syscall name, sorted
};

Row row_of(const common::WorkloadKey& key, const TrackedWorkload& tracked) {
  Row row{key,
          tracked.merged.pods_seen(),
          tracked.merged.nodes_seen(),
          tracked.first_discovery_unix_ms,
          tracked.last_discovery_unix_ms,
          {}};
  // A syscall rebuilt from a SeccompProfile has no first sight: it counts from the first
  // discovery.
  std::map<std::string, int64_t> first_by_name;
  for (const auto& [id, syscall] : tracked.merged.syscalls) {
    const std::string name =
        syscall.name.empty() ? id.arch + "#" + std::to_string(id.nr) : syscall.name;
    const int64_t seen = syscall.first_seen_unix_ms > 0 ? syscall.first_seen_unix_ms
                                                        : tracked.first_discovery_unix_ms;
    auto [it, added] = first_by_name.try_emplace(name, seen);
    if (!added) it->second = std::min(it->second, seen);
  }
  for (const auto& [name, seen] : first_by_name) row.first_seen_unix_ms.push_back(seen);
  std::sort(row.first_seen_unix_ms.begin(), row.first_seen_unix_ms.end());
  return row;
}

std::string ago(int64_t then_unix_ms, int64_t now_unix_ms) {
  const int64_t s = std::max<int64_t>(0, (now_unix_ms - then_unix_ms) / 1000);
  if (s < 120) return std::to_string(s) + " s ago";
  if (s < 7200) return std::to_string(s / 60) + " min ago";
  if (s < 172800) return std::to_string(s / 3600) + " h ago";
  return std::to_string(s / 86400) + " d ago";
}

std::string sparkline(const Row& row, int64_t now_unix_ms) {
  std::vector<common::svg::Step> steps;
  const int64_t start = row.first_seen_unix_ms.empty() ? now_unix_ms : row.first_seen_unix_ms[0];
  for (std::size_t i = 0; i < row.first_seen_unix_ms.size(); ++i) {
    const double x = static_cast<double>(row.first_seen_unix_ms[i] - start) / 1e3;
    if (!steps.empty() && steps.back().x == x) {
      steps.back().y = i + 1;
    } else {
      steps.push_back({x, i + 1});
    }
  }
  const double end = static_cast<double>(std::max<int64_t>(now_unix_ms - start, 0)) / 1e3;
  const std::string title =
      std::to_string(row.first_seen_unix_ms.size()) + " distinct syscalls, the last new one " +
      (row.first_seen_unix_ms.empty() ? "never" : ago(row.first_seen_unix_ms.back(), now_unix_ms));
  return common::svg::sparkline(steps, end, title);
}

}  // namespace

std::string workload_page_path(const common::WorkloadKey& key) {
  return "/ui/workloads/" + key.namespace_name + "/" + key.kind + "/" + key.name + "/" +
         key.container;
}

std::string render_workloads_page(const MergeStore& store, int64_t now_unix_ms) {
  std::vector<Row> rows;
  store.for_each([&rows](const common::WorkloadKey& key, const TrackedWorkload& tracked) {
    rows.push_back(row_of(key, tracked));
  });
  std::set<std::string> namespaces, kinds;
  for (const auto& row : rows) {
    namespaces.insert(row.key.namespace_name);
    kinds.insert(row.key.kind);
  }
  std::string body =
      "<section id=\"workloads\"><p>Every workload container this aggregator holds, merged "
      "over its replicas and nodes. <em>Syscalls</em>: distinct syscalls recorded, which the "
      "profile allows (with what the runtime and the implications add). The sparkline is "
      "distinct syscalls over time since the first was seen, up to now: flat for long means "
      "the profile has stopped growing. Each row opens the workload's report.</p>" +
      common::html::filter_box(
          "workload-table",
          {{"Namespace", "filter-namespace", "namespace", {namespaces.begin(), namespaces.end()}},
           {"Kind", "filter-kind", "kind", {kinds.begin(), kinds.end()}}},
          "filter-text", "shown", rows.size()) +
      "<table id=\"workload-table\" class=\"sortable\"><thead><tr><th>Namespace</th>"
      "<th>Workload</th><th>Container</th><th class=\"num\">Syscalls</th>"
      "<th class=\"num\">Replicas</th><th class=\"num\">Nodes</th>"
      "<th class=\"num\">Last discovery</th><th class=\"num\">Convergence</th></tr></thead>"
      "<tbody>";
  for (const auto& row : rows) {
    const auto& key = row.key;
    const std::string workload = key.kind + "/" + key.name;
    body += "<tr data-namespace=\"" + escape(key.namespace_name) + "\" data-kind=\"" +
            escape(key.kind) + "\">" + cell(key.namespace_name) +
            markup_cell(workload, "<a href=\"" + escape(workload_page_path(key)) + "\">" +
                                      escape(workload) + "</a>") +
            cell(key.container) + number_cell(row.first_seen_unix_ms.size()) +
            number_cell(row.replicas) + number_cell(row.nodes) + "<td class=\"num\" data-v=\"" +
            std::to_string(row.last_discovery_unix_ms) + "\" title=\"" +
            escape(common::utc_time(row.last_discovery_unix_ms)) + "\">" +
            escape(ago(row.last_discovery_unix_ms, now_unix_ms)) + "</td>" +
            "<td class=\"num\" data-v=\"" +
            std::to_string(row.first_seen_unix_ms.empty() ? 0 : row.first_seen_unix_ms.back()) +
            "\">" + sparkline(row, now_unix_ms) + "</td></tr>\n";
  }
  body += "</tbody></table>";
  if (rows.empty()) {
    body +=
        "<p id=\"no-workloads\">No workload container yet: agents have sent nothing, or "
        "nothing since this aggregator started.</p>";
  }
  body += "<p class=\"note\">As of " + escape(common::utc_time(now_unix_ms)) + ".</p></section>\n";
  return common::html::page(
      "tailor-aggregator: " + std::to_string(rows.size()) + " workload containers", body);
}

}  // namespace tailor::aggregator
