#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/report/report.h"
#include "common/syscalls/categories.h"

namespace tailor::common {

// Which syscalls of a report to show. An empty list matches everything, a value matches if it
// is any of its list's values, and the lists combine with AND. The recorder reports each
// syscall once, when a process makes it first (one event per syscall keeps the BPF program's
// every call cheap), so a report cannot say which processes made a syscall, only which one
// made it first: comms and pids select by that first caller.
struct ReportFilter {
  std::vector<std::string> first_comms;
  std::vector<uint32_t> first_pids;
  std::vector<Category> categories;
};

// The report with only the matching syscalls; recording info and recorder stats are kept.
// `tailor report --json` prints encode_report() of this.
Report filter_report(const Report& report, const ReportFilter& filter);

// What a reader of a table should notice; a terminal shows it in colour.
enum class Emphasis { heading, warning, sensitive };
// Returns a line of the table, emphasised; the default leaves it as it is.
using Painter = std::function<std::string(std::string line, Emphasis emphasis)>;

// A table for people: what was recorded, a warning when the recorder lost data, the
// syscalls grouped by category, and a summary line. `paint` marks the category headings, the
// warning and the security-sensitive rows.
std::string render_table(const Report& report, const Painter& paint = {});

// For people, shown before the syscalls: one row per denied call with its action, count and
// first process, and a line naming the actions that could not be seen. `native_arch` marks
// calls of other architectures, as the syscall table does.
std::string render_denied_table(const Denials& denials, const std::string& native_arch);

}  // namespace tailor::common
