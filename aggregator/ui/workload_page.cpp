#include "aggregator/ui/workload_page.h"

#include "aggregator/writer/profile_conversion.h"
#include "common/html/report_page.h"
#include "common/util/clock.h"
#include "common/util/strings.h"

namespace tailor::aggregator {

std::string render_workload_page(const common::WorkloadKey& key, const TrackedWorkload& tracked,
                                 int64_t now_unix_ms) {
  common::Report report = report_of(tracked.merged);
  const int64_t start = report.info.started_unix_ms > 0 ? report.info.started_unix_ms
                                                        : tracked.first_discovery_unix_ms;
  report.info.started_unix_ms = start;
  report.info.duration_ms = static_cast<uint64_t>(std::max<int64_t>(now_unix_ms - start, 0));
  const auto& merged = tracked.merged;
  common::html::ReportOrigin origin{"tailor-aggregator: " + common::describe(key), {}};
  auto& items = origin.items;
  items.emplace_back("Workload", key.kind + " " + key.name + " in namespace " + key.namespace_name);
  items.emplace_back("Container", key.container);
  items.emplace_back("Replicas seen", std::to_string(merged.pods_seen()));
  const auto nodes = merged.nodes.names();
  items.emplace_back("Nodes seen",
                     std::to_string(merged.nodes_seen()) +
                         (nodes.empty() ? "" : ": " + common::join({nodes.begin(), nodes.end()})));
  items.emplace_back("First syscall seen", common::utc_time(start));
  items.emplace_back("First discovery", common::utc_time(tracked.first_discovery_unix_ms));
  items.emplace_back("Last discovery", common::utc_time(tracked.last_discovery_unix_ms));
  items.emplace_back("Merged state", "version " + std::to_string(tracked.version) + ", as of " +
                                         common::utc_time(now_unix_ms));
  return common::html::render_html_report(report, {}, origin);
}

}  // namespace tailor::aggregator
