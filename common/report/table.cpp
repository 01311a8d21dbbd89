#include "common/report/table.h"

#include <algorithm>
#include <iterator>

#include "common/util/clock.h"
#include "common/util/saturating.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

using Cells = std::vector<std::string>;

struct Row {
  Category category;
  Cells cells;  // syscall, count, first seen, first process
};

// The seccomp actions that deny or would deny and that the recorder never sees, for the note
// under the denied table; an action it can see but did not watch is added to them.
constexpr std::string_view kUnwatched = "log, trace, user_notif";

template <typename T>
bool matches(const std::vector<T>& wanted, const T& value) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

bool matches(const ReportFilter& filter, const SyscallEntry& entry) {
  if (!matches(filter.categories, category_of(entry.name))) return false;
  if (filter.first_comms.empty() && filter.first_pids.empty()) return true;
  return entry.first_caller && matches(filter.first_comms, entry.first_caller->comm) &&
         matches(filter.first_pids, entry.first_caller->pid);
}

// A SyscallEntry or a DeniedCall.
template <typename Call>
std::string syscall_label(const Call& call, const std::string& native_arch) {
  std::string label = call.name.empty() ? "#" + std::to_string(call.nr) : call.name;
  if (call.arch != native_arch) label += " [" + call.arch + "]";
  return label;
}

// "1.234s": milliseconds are as fine as a person reads a recording.
std::string format_seconds(uint64_t ms) {
  std::string fraction = std::to_string(ms % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  return std::to_string(ms / 1000) + "." + fraction + "s";
}

// A runtime's row apart from the workload's row of the same syscall: only one of them may have
// to be allowed (docs/profiles.md).
std::string phased_label(const SyscallEntry& entry, const std::string& native_arch) {
  std::string label = syscall_label(entry, native_arch);
  if (entry.phase != Phase::workload) label += " (" + std::string(phase_name(entry.phase)) + ")";
  return label;
}

// Said under the table when a row is the runtime's: the two phases' names alone do not say
// which of them the profile must allow.
constexpr std::string_view kRuntimePhases =
    "(runtime-setup): made by the runtime, or tailor starting the command, before its seccomp "
    "filter: never meets the profile.\n(runtime-filtered): made by it under the filter, its "
    "exec of the workload included: the profile allows them.\n";

template <typename Call>
std::string process_label(const Call& call) {
  if (!call.first_caller) return "-";
  return call.first_caller->comm + "[" + std::to_string(call.first_caller->pid) + "]";
}

std::string recording_line(const RecordingInfo& info) {
  std::string line = info.target_kind + " " + command_line(info) + " on " + info.hostname + " (" +
                     info.native_arch + ", kernel " + info.kernel + "), started " +
                     utc_time(info.started_unix_ms) + ", ran " + format_seconds(info.duration_ms);
  if (info.exit_status) line += ", exit status " + std::to_string(*info.exit_status);
  return line + "\n";
}

std::string faults_line(const Report& report) {
  std::vector<std::string> faults;
  for (const auto& [name, value] : recorder_faults(report)) {
    faults.push_back(name + "=" + std::to_string(value));
  }
  if (faults.empty()) return "";
  return "WARNING: the recorder lost data (" + join(faults) + "); this report may be incomplete\n";
}

// Widens each column to fit `row`.
void fit(std::vector<std::size_t>& widths, const Cells& row) {
  widths.resize(row.size());
  for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
}

// Numbers line up on the right (the `right_aligned` columns), words on the left.
std::string format_row(const Cells& cells, const std::vector<std::size_t>& widths,
                       std::initializer_list<std::size_t> right_aligned) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::string padding(widths[i] - cells[i].size(), ' ');
    const bool right =
        std::find(right_aligned.begin(), right_aligned.end(), i) != right_aligned.end();
    line += "  " + (right ? padding + cells[i] : cells[i] + padding);
  }
  line.erase(line.find_last_not_of(' ') + 1);
  return line + "\n";
}

}  // namespace

Report filter_report(const Report& report, const ReportFilter& filter) {
  Report out{report.info, {}, report.recorder_stats};
  std::copy_if(report.syscalls.begin(), report.syscalls.end(), std::back_inserter(out.syscalls),
               [&](const SyscallEntry& entry) { return matches(filter, entry); });
  return out;
}

std::string render_table(const Report& report, const Painter& paint) {
  const auto emphasised = [&paint](std::string line, Emphasis emphasis) {
    return paint ? paint(std::move(line), emphasis) : line;
  };
  std::vector<Row> rows;
  uint64_t calls = 0;
  bool runtime_rows = false;
  for (const auto& entry : report.syscalls) {
    rows.push_back({category_of(entry.name),
                    {phased_label(entry, report.info.native_arch), std::to_string(entry.count),
                     "+" + format_seconds(entry.first_seen_ns / 1'000'000), process_label(entry)}});
    calls = saturating_add(calls, entry.count);
    runtime_rows = runtime_rows || entry.phase != Phase::workload;
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.cells[0] < b.cells[0]; });

  const Cells headings = {"SYSCALL", "COUNT", "FIRST SEEN", "FIRST PROCESS"};
  std::vector<std::size_t> widths;
  fit(widths, headings);
  for (const auto& row : rows) fit(widths, row.cells);

  const std::string faults = faults_line(report);
  std::string out =
      recording_line(report.info) + (faults.empty() ? "" : emphasised(faults, Emphasis::warning));
  for (Category category : all_categories()) {
    const auto in_category = [category](const Row& row) { return row.category == category; };
    const auto count = std::count_if(rows.begin(), rows.end(), in_category);
    if (count == 0) continue;
    out += "\n" +
           emphasised(std::string(category_name(category)) + " (" + std::to_string(count) + ")\n",
                      Emphasis::heading);
    out += format_row(headings, widths, {1, 2});
    for (const auto& row : rows) {
      if (!in_category(row)) continue;
      const std::string line = format_row(row.cells, widths, {1, 2});
      out +=
          category == Category::security_sensitive ? emphasised(line, Emphasis::sensitive) : line;
    }
  }
  out += "\n" + std::to_string(distinct_first_seen_ns(report).size()) + " syscalls, " +
         std::to_string(calls) + " calls\n";
  if (runtime_rows) out += kRuntimePhases;
  return out;
}

std::string render_denied_table(const Denials& denials, const std::string& native_arch) {
  std::string out = "DENIED by a seccomp filter (" + std::to_string(denials.calls.size()) +
                    (denials.calls.size() == 1 ? " syscall" : " syscalls") + ")\n";
  if (!denials.calls.empty()) {
    std::vector<Cells> rows = {{"SYSCALL", "ACTION", "COUNT", "FIRST DENIED", "FIRST PROCESS"}};
    for (const auto& call : denials.calls) {
      rows.push_back({syscall_label(call, native_arch),
                      std::string(denial_action_name(call.action)), std::to_string(call.count),
                      "+" + format_seconds(call.first_seen_ns / 1'000'000), process_label(call)});
    }
    std::vector<std::size_t> widths;
    for (const auto& row : rows) fit(widths, row);
    for (const auto& row : rows) out += format_row(row, widths, {2});
  }
  std::vector<std::string> watched;
  std::vector<std::string> unwatched;
  for (DenialAction action : watched_denial_actions(true))  // every action it can see
    (std::find(denials.watched.begin(), denials.watched.end(), action) != denials.watched.end()
         ? watched
         : unwatched)
        .emplace_back(denial_action_name(action));
  unwatched.emplace_back(kUnwatched);
  out += "  (seen: " + (watched.empty() ? std::string("none") : join(watched)) + "; denials by " +
         join(unwatched) + " are not seen)\n";
  return out;
}

}  // namespace tailor::common
