#include "common/report/table.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <iterator>

#include "common/util/clock.h"
#include "common/util/saturating.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

struct Row {
  Category category;
  std::array<std::string, 4> cells;  // syscall, count, first seen, first process
};

constexpr std::array<const char*, 4> kHeadings = {"SYSCALL", "COUNT", "FIRST SEEN",
                                                  "FIRST PROCESS"};
// Numbers line up on the right, words on the left.
constexpr std::array<bool, 4> kRightAligned = {false, true, true, false};

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

std::string syscall_label(const SyscallEntry& entry, const std::string& native_arch) {
  std::string label = entry.name.empty() ? "#" + std::to_string(entry.nr) : entry.name;
  if (entry.arch != native_arch) label += " [" + entry.arch + "]";
  return label;
}

// "1.234s": milliseconds are as fine as a person reads a recording.
std::string format_seconds(uint64_t ms) {
  std::string fraction = std::to_string(ms % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  return std::to_string(ms / 1000) + "." + fraction + "s";
}

std::string process_label(const SyscallEntry& entry) {
  if (!entry.first_caller) return "-";
  return entry.first_caller->comm + "[" + std::to_string(entry.first_caller->pid) + "]";
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

std::string format_row(const std::array<std::string, 4>& cells,
                       const std::array<std::size_t, 4>& widths) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::string padding(widths[i] - cells[i].size(), ' ');
    line += "  " + (kRightAligned[i] ? padding + cells[i] : cells[i] + padding);
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
  for (const auto& entry : report.syscalls) {
    rows.push_back({category_of(entry.name),
                    {syscall_label(entry, report.info.native_arch), std::to_string(entry.count),
                     "+" + format_seconds(entry.first_seen_ns / 1'000'000), process_label(entry)}});
    calls = saturating_add(calls, entry.count);
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.cells[0] < b.cells[0]; });

  std::array<std::size_t, 4> widths{};
  for (std::size_t i = 0; i < widths.size(); ++i) widths[i] = std::string(kHeadings[i]).size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row.cells[i].size());
    }
  }

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
    out += format_row({kHeadings[0], kHeadings[1], kHeadings[2], kHeadings[3]}, widths);
    for (const auto& row : rows) {
      if (!in_category(row)) continue;
      const std::string line = format_row(row.cells, widths);
      out +=
          category == Category::security_sensitive ? emphasised(line, Emphasis::sensitive) : line;
    }
  }
  out += "\n" + std::to_string(rows.size()) + " syscalls, " + std::to_string(calls) + " calls\n";
  return out;
}

}  // namespace tailor::common
