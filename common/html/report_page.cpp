#include "common/html/report_page.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "common/html/page.h"
#include "common/html/svg.h"
#include "common/syscalls/categories.h"
#include "common/util/clock.h"
#include "common/util/saturating.h"
#include "common/util/strings.h"

namespace tailor::common::html {
namespace {

std::string syscall_name(const SyscallEntry& entry) {
  return entry.name.empty() ? "#" + std::to_string(entry.nr) : entry.name;
}

std::string caller_label(const SyscallEntry& entry) {
  if (!entry.first_caller) return "-";
  const auto& caller = *entry.first_caller;
  std::string label = caller.comm + "[" + std::to_string(caller.pid) + "]";
  if (caller.tid != caller.pid) label += " thread " + std::to_string(caller.tid);
  return label;
}

uint64_t total_calls(const Report& report) {
  uint64_t calls = 0;
  for (const auto& entry : report.syscalls) calls = saturating_add(calls, entry.count);
  return calls;
}

std::string summary(const Report& report, const ReportOrigin& origin) {
  std::string out = "<section id=\"summary\"><h2>Summary</h2><dl class=\"summary\">";
  const auto item = [&out](std::string_view term, const std::string& value,
                           std::string_view id = "") {
    out += "<dt>" + escape(term) + "</dt><dd" +
           (id.empty() ? "" : " id=\"" + std::string(id) + "\"") + ">" + escape(value) + "</dd>";
  };
  for (const auto& [term, value] : origin.items) item(term, value);
  if (!origin.filter.empty()) item("Shown", "only the syscalls of " + origin.filter, "filter");
  item("Distinct syscalls", std::to_string(report.syscalls.size()), "syscall-count");
  item("Calls", std::to_string(total_calls(report)), "call-count");
  return out + "</dl></section>\n";
}

std::string defaults(const std::vector<DefaultFit>& fits) {
  std::string out =
      "<section id=\"defaults\"><h2>Against the runtime defaults</h2><p>How many of the "
      "recorded syscalls each runtime's default profile allows, and how many more it allows "
      "that the recording never needed (<code>tailor diff REPORT --against NAME</code>).</p>"
      "<table><thead><tr><th>Default</th><th>Arch</th><th class=\"num\">Needed</th>"
      "<th class=\"num\">Allowed</th><th class=\"num\">Allowed, unused</th><th>Denied</th>"
      "</tr></thead><tbody>";
  for (const auto& fit : fits) {
    const std::string name = escape(fit.name) + " <small>" + escape(fit.version) + "</small>";
    if (!fit.covered) {
      out += "<tr><td>" + name + "</td><td>" + escape(fit.arch) +
             "</td><td colspan=\"4\">does not cover " + escape(fit.arch) +
             " on this host</td></tr>";
      continue;
    }
    std::string denied = escape(join(fit.denied));
    if (!fit.denied_by_arguments.empty()) {
      denied += (denied.empty() ? "" : "; ") + std::string("the recorded arguments of ") +
                escape(join(fit.denied_by_arguments));
    }
    out += "<tr><td>" + name + "</td><td>" + escape(fit.arch) + "</td><td class=\"num\">" +
           std::to_string(fit.needed) + "</td><td class=\"num\">" + std::to_string(fit.allowed) +
           "</td><td class=\"num\">" + std::to_string(fit.unused) + "</td><td>" + denied +
           "</td></tr>";
  }
  return out + "</tbody></table></section>\n";
}

std::string convergence(const Report& report) {
  const std::vector<uint64_t> first_seen = distinct_first_seen_ns(report);
  std::vector<svg::Step> steps;
  for (std::size_t i = 0; i < first_seen.size(); ++i) {
    const double x = static_cast<double>(first_seen[i]) / 1e9;
    if (!steps.empty() && steps.back().x == x) {
      steps.back().y = i + 1;
    } else {
      steps.push_back({x, i + 1});
    }
  }
  const double end = static_cast<double>(report.info.duration_ms) / 1e3;
  std::string out =
      "<section id=\"convergence\"><h2>Convergence</h2><p>Distinct syscalls seen since the "
      "recording started. A line that has gone flat long before the end means the recording has "
      "seen what the workload does; one still rising means it needs a longer run.</p>";
  if (!first_seen.empty()) {
    out += "<p>The last new syscall came at +" + seconds(first_seen.back()) + " s of " +
           seconds(report.info.duration_ms * 1'000'000) + " s.</p>";
  }
  return out + svg::step_plot(steps, end, "seconds since start", "distinct syscalls over time") +
         "</section>\n";
}

std::string categories(const Report& report) {
  std::map<Category, uint64_t> calls;
  for (const auto& entry : report.syscalls) {
    auto& sum = calls[category_of(entry.name)];
    sum = saturating_add(sum, entry.count);
  }
  std::vector<svg::Bar> bars;
  for (Category category : all_categories()) {
    bars.push_back({std::string(category_name(category)), calls[category],
                    category == Category::security_sensitive});
  }
  return "<section id=\"categories\"><h2>Calls by category</h2>" +
         svg::bar_chart(bars, "calls by category") + "</section>\n";
}

std::string sensitive(const Report& report) {
  std::string items;
  for (const auto& entry : report.syscalls) {
    const auto why = sensitivity_reason(entry.name);
    if (why.empty()) continue;
    items += "<li><strong>" + escape(entry.name) + "</strong> (" + escape(phase_name(entry.phase)) +
             ", first by " + escape(caller_label(entry)) + "): " + escape(why) + "</li>";
  }
  return "<section id=\"sensitive\"><h2>Security-sensitive calls</h2>" +
         (items.empty() ? std::string("<p>None.</p>") : "<ul>" + items + "</ul>") + "</section>\n";
}

std::string syscall_table(const Report& report, const std::string& filter) {
  std::set<std::string> comms;
  for (const auto& entry : report.syscalls) {
    if (entry.first_caller) comms.insert(entry.first_caller->comm);
  }
  std::vector<std::string> category_names;  // in display order
  for (Category category : all_categories()) {
    category_names.emplace_back(category_name(category));
  }
  std::string out =
      "<section id=\"table\"><h2>Syscalls</h2>" +
      filter_box("syscalls",
                 {{"Category", "filter-category", "category", category_names},
                  {"First process", "filter-process", "comm", {comms.begin(), comms.end()}}},
                 "filter-text", "shown", report.syscalls.size()) +
      "<table id=\"syscalls\" class=\"sortable\"><thead><tr><th>Syscall</th><th>Arch</th>"
      "<th>Phase</th><th>Category</th><th class=\"num\">Calls</th>"
      "<th class=\"num\">First seen (s)</th><th>First process</th></tr></thead><tbody>";
  for (const auto& entry : report.syscalls) {
    const std::string name = syscall_name(entry);
    const std::string category(category_name(category_of(entry.name)));
    const auto why = sensitivity_reason(entry.name);
    const std::string comm = entry.first_caller ? entry.first_caller->comm : "";
    out +=
        "<tr data-category=\"" + escape(category) + "\" data-comm=\"" + escape(comm) + "\"" +
        (why.empty() ? "" : " class=\"sensitive\"") + ">" +
        markup_cell(name, escape(name) +
                              (why.empty() ? "" : "<div class=\"why\">" + escape(why) + "</div>")) +
        cell(entry.arch) + cell(phase_name(entry.phase)) + cell(category) +
        number_cell(entry.count) + number_cell(entry.first_seen_ns, seconds(entry.first_seen_ns)) +
        cell(caller_label(entry)) + "</tr>\n";
  }
  out += "</tbody></table>";
  if (report.syscalls.empty() && !filter.empty()) {
    out += "<p id=\"no-syscalls\">No syscall of the report is one of " + escape(filter) + ".</p>";
  } else if (report.syscalls.empty()) {
    out +=
        "<p id=\"no-syscalls\">The report holds no syscalls: the workload made none while it "
        "was recorded, or the recording ended before it started.</p>";
  }
  return out + "</section>\n";
}

// A report keeps pid, tid and comm of each first caller but no parent, so the tree is
// process, then thread, then the calls it made first, in order.
std::string first_callers(const Report& report) {
  const bool named = std::any_of(report.syscalls.begin(), report.syscalls.end(),
                                 [](const SyscallEntry& entry) { return entry.first_caller; });
  if (!named) {
    return "<section id=\"first-callers\"><h2>First callers</h2><p>The report names no first "
           "callers.</p></section>\n";
  }
  std::vector<const SyscallEntry*> entries;
  for (const auto& entry : report.syscalls) entries.push_back(&entry);
  std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) {
    return a->first_seen_ns < b->first_seen_ns;
  });
  // A thread's comm changes when it execs, so a thread is listed once per name it had.
  struct Thread {
    uint32_t tid;
    std::string comm;
    std::vector<const SyscallEntry*> calls;
  };
  std::vector<std::pair<uint32_t, std::vector<Thread>>> processes;  // in order of first call
  std::vector<const SyscallEntry*> unknown;
  for (const auto* entry : entries) {
    if (!entry->first_caller) {
      unknown.push_back(entry);
      continue;
    }
    const auto& caller = *entry->first_caller;
    auto process = std::find_if(processes.begin(), processes.end(),
                                [&](const auto& p) { return p.first == caller.pid; });
    if (process == processes.end()) process = processes.insert(processes.end(), {caller.pid, {}});
    auto thread = std::find_if(process->second.begin(), process->second.end(), [&](const auto& t) {
      return t.tid == caller.tid && t.comm == caller.comm;
    });
    if (thread == process->second.end()) {
      thread = process->second.insert(process->second.end(), {caller.tid, caller.comm, {}});
    }
    thread->calls.push_back(entry);
  }
  const auto calls = [](const std::vector<const SyscallEntry*>& list) {
    std::vector<std::string> items;
    for (const auto* entry : list) {
      items.push_back(syscall_name(*entry) + " +" + seconds(entry->first_seen_ns));
    }
    return escape(join(items));
  };
  std::string out =
      "<section id=\"first-callers\"><h2>First callers</h2><p>Which process made each syscall "
      "first, and when (seconds since the start).</p><ul class=\"tree\">";
  for (const auto& [pid, threads] : processes) {
    std::size_t count = 0;
    for (const auto& thread : threads) count += thread.calls.size();
    out += "<li>process " + std::to_string(pid) + ": " + std::to_string(count) +
           " syscalls first<ul class=\"tree\">";
    for (const auto& thread : threads) {
      out += "<li>" + escape(thread.comm) + " [tid " + std::to_string(thread.tid) +
             "]: <span class=\"values\">" + calls(thread.calls) + "</span></li>";
    }
    out += "</ul></li>";
  }
  if (!unknown.empty()) {
    out += "<li>unknown (the first-seen event was dropped): <span class=\"values\">" +
           calls(unknown) + "</span></li>";
  }
  return out + "</ul></section>\n";
}

std::string argument_values(const Report& report) {
  std::string out =
      "<section id=\"arguments\"><h2>Argument values</h2><p>The values recorded for the "
      "arguments profiles restrict, with calls per value.</p>";
  bool any = false;
  for (const auto& entry : report.syscalls) {
    if (!entry.arg) continue;
    any = true;
    const auto& arg = *entry.arg;
    out += "<details class=\"arg\"><summary>" + escape(syscall_name(entry)) + " (" +
           escape(entry.arch) + ", " + escape(phase_name(entry.phase)) + ") argument " +
           std::to_string(arg.index) + ": " + std::to_string(arg.values.size()) + " values" +
           (arg.complete ? "" : ", partial: the recorder ran out of room") +
           "</summary><p class=\"values\">";
    bool first = true;
    char text[64];
    for (const auto& [value, calls] : arg.values) {
      // 0 calls: not counted (the aggregator's merge keeps values, not calls per value).
      const int n = std::snprintf(text, sizeof text, "%s0x%llx", first ? "" : ", ",
                                  static_cast<unsigned long long>(value));
      if (calls > 0) {
        std::snprintf(text + n, sizeof text - n, " \xC3\x97%llu",
                      static_cast<unsigned long long>(calls));
      }
      out += text;
      first = false;
    }
    out += "</p></details>";
  }
  if (!any) out += "<p>None recorded.</p>";
  return out + "</section>\n";
}

// First on the page when a filter denied anything: under an enforced profile, what broke.
std::string denied(const Report& report) {
  if (!report.denied || report.denied->calls.empty()) return "";
  std::string out =
      "<section id=\"denied\" class=\"warning\"><h2>Denied by a seccomp filter</h2><p>These "
      "calls never ran: a filter killed the caller or sent it SIGSYS. Denials by ERRNO or LOG "
      "are not seen.</p><table><thead><tr><th>Syscall</th><th>Arch</th><th>Action</th>"
      "<th>Count</th><th>First denied (s)</th><th>First process</th></tr></thead><tbody>";
  for (const auto& call : report.denied->calls) {
    const std::string name = call.name.empty() ? "#" + std::to_string(call.nr) : call.name;
    const std::string caller = call.first_caller ? call.first_caller->comm + " [" +
                                                       std::to_string(call.first_caller->pid) + "]"
                                                 : "-";
    out += "<tr><td>" + escape(name) + "</td><td>" + escape(call.arch) + "</td><td>" +
           escape(common::denial_action_name(call.action)) + "</td><td class=\"num\">" +
           std::to_string(call.count) + "</td><td class=\"num\">" + seconds(call.first_seen_ns) +
           "</td><td>" + escape(caller) + "</td></tr>";
  }
  return out + "</tbody></table></section>\n";
}

}  // namespace

ReportOrigin recording_origin(const RecordingInfo& info) {
  ReportOrigin origin{"tailor report: " + command_line(info), {}};
  auto& items = origin.items;
  items.emplace_back("Recorded", info.target_kind + " " + command_line(info));
  if (!info.cgroup_path.empty()) items.emplace_back("Cgroup", info.cgroup_path);
  items.emplace_back("Host",
                     info.hostname + " (" + info.native_arch + ", kernel " + info.kernel + ")");
  items.emplace_back("Started", utc_time(info.started_unix_ms));
  items.emplace_back("Duration", seconds(info.duration_ms * 1'000'000) + " s");
  if (info.exit_status) items.emplace_back("Exit status", std::to_string(*info.exit_status));
  items.emplace_back("Recorded by", "tailor " + info.tailor_version);
  return origin;
}

std::string render_html_report(const Report& report, const std::vector<DefaultFit>& fits,
                               const ReportOrigin& origin) {
  return page(origin.title, denied(report) + recorder_warnings(report) + summary(report, origin) +
                                (fits.empty() ? "" : defaults(fits)) + convergence(report) +
                                categories(report) + sensitive(report) +
                                syscall_table(report, origin.filter) + first_callers(report) +
                                argument_values(report));
}

std::string recorder_warnings(const Report& report) {
  const auto faults = recorder_faults(report);
  if (faults.empty()) return "";
  std::vector<std::string> counts;
  std::string effects;
  for (const auto& [name, value] : faults) {
    counts.push_back(name + "=" + std::to_string(value));
    effects += "<li>" + escape(name) + ": " + escape(fault_effect(name)) + "</li>";
  }
  return "<section id=\"warnings\" class=\"warning\"><strong>WARNING: the recorder lost data (" +
         escape(join(counts)) +
         "); this report may be incomplete.</strong> What may be missing:<ul>" + effects +
         "</ul></section>\n";
}

}  // namespace tailor::common::html
