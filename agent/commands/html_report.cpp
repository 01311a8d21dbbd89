#include "agent/commands/html_report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <utility>

#include "agent/commands/svg.h"
#include "common/syscalls/categories.h"
#include "common/util/clock.h"
#include "common/util/saturating.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

using common::Report;
using common::SyscallEntry;
using svg::escape;

// The page fetches nothing: the policy forbids every source but its own inline parts, so even
// markup that slipped through escaping could not reach the network.
constexpr const char* kHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
)";

constexpr const char* kStyle = R"(<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#222}
h1{font-size:20px;word-break:break-all}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dt{color:#666}dd{margin:0;word-break:break-all}
.warning{background:#fff3cd;border:1px solid #e0b300;padding:8px 12px;border-radius:4px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
td.num,th.num{text-align:right}#syscalls th{cursor:pointer;user-select:none;background:#f6f6f6}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
tr.sensitive td{background:#fde8e8}.why{color:#a11;font-size:12px}
.filters{display:flex;gap:12px;margin:8px 0;flex-wrap:wrap}
svg{width:100%;max-width:640px;height:auto;display:block}svg text{font-size:11px;fill:#444}
.axis line{stroke:#e5e5e5}.plot .line{fill:none;stroke:#1565c0;stroke-width:2}
.bars rect{fill:#1565c0}.bars rect.hot{fill:#c62828}
ul.tree{list-style:none;padding-left:16px}.values{font-family:monospace;font-size:12px;word-break:break-all}
</style>
)";

// Sorting by a header, and filtering by category, first process and free text.
constexpr const char* kScript = R"(<script>
(() => {
  const table = document.getElementById('syscalls'), body = table.tBodies[0];
  const category = document.getElementById('filter-category');
  const process = document.getElementById('filter-process');
  const text = document.getElementById('filter-text'), shown = document.getElementById('shown');
  const apply = () => {
    const c = category.value, p = process.value, t = text.value.trim().toLowerCase();
    let n = 0;
    for (const row of body.rows) {
      const keep = (!c || row.dataset.category === c) && (!p || row.dataset.comm === p) &&
                   (!t || row.textContent.toLowerCase().includes(t));
      row.hidden = !keep;
      if (keep) n++;
    }
    shown.textContent = n;
  };
  category.addEventListener('change', apply);
  process.addEventListener('change', apply);
  text.addEventListener('input', apply);
  table.tHead.addEventListener('click', (event) => {
    const th = event.target.closest('th');
    if (!th) return;
    const numeric = th.classList.contains('num'), i = th.cellIndex;
    const dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    for (const h of th.parentNode.cells) h.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
    const key = (row) => numeric ? Number(row.cells[i].dataset.v) : row.cells[i].dataset.v;
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      return dir * (numeric ? x - y : x < y ? -1 : x > y ? 1 : 0);
    });
    body.append(...rows);
  });
  apply();
})();
</script>
)";

std::string seconds(uint64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(ns) / 1e9);
  return text;
}

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
  for (const auto& entry : report.syscalls) calls = common::saturating_add(calls, entry.count);
  return calls;
}

std::string summary(const Report& report) {
  const auto& info = report.info;
  std::string out = "<section id=\"summary\"><h2>Summary</h2><dl class=\"summary\">";
  const auto item = [&out](std::string_view term, const std::string& value,
                           std::string_view id = "") {
    out += "<dt>" + std::string(term) + "</dt><dd" +
           (id.empty() ? "" : " id=\"" + std::string(id) + "\"") + ">" + escape(value) + "</dd>";
  };
  item("Recorded", info.target_kind + " " + common::command_line(info));
  if (!info.cgroup_path.empty()) item("Cgroup", info.cgroup_path);
  item("Host", info.hostname + " (" + info.native_arch + ", kernel " + info.kernel + ")");
  item("Started", common::utc_time(info.started_unix_ms));
  item("Duration", seconds(info.duration_ms * 1'000'000) + " s");
  if (info.exit_status) item("Exit status", std::to_string(*info.exit_status));
  item("Distinct syscalls", std::to_string(report.syscalls.size()), "syscall-count");
  item("Calls", std::to_string(total_calls(report)), "call-count");
  item("Recorded by", "tailor " + info.tailor_version);
  return out + "</dl></section>\n";
}

// The wording of `tailor report` and `tailor profile`, with what each fault may have lost.
std::string warnings(const Report& report) {
  const auto faults = common::recorder_faults(report);
  if (faults.empty()) return "";
  std::vector<std::string> counts;
  std::string effects;
  for (const auto& [name, value] : faults) {
    counts.push_back(name + "=" + std::to_string(value));
    effects += "<li>" + escape(name) + ": " + escape(common::fault_effect(name)) + "</li>";
  }
  return "<section id=\"warnings\" class=\"warning\"><strong>WARNING: the recorder lost data (" +
         escape(common::join(counts)) +
         "); this report may be incomplete.</strong> What may be missing:<ul>" + effects +
         "</ul></section>\n";
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
    std::string denied = escape(common::join(fit.denied));
    if (!fit.denied_by_arguments.empty()) {
      denied += (denied.empty() ? "" : "; ") + std::string("the recorded arguments of ") +
                escape(common::join(fit.denied_by_arguments));
    }
    out += "<tr><td>" + name + "</td><td>" + escape(fit.arch) + "</td><td class=\"num\">" +
           std::to_string(fit.needed) + "</td><td class=\"num\">" + std::to_string(fit.allowed) +
           "</td><td class=\"num\">" + std::to_string(fit.unused) + "</td><td>" + denied +
           "</td></tr>";
  }
  return out + "</tbody></table></section>\n";
}

std::string convergence(const Report& report) {
  std::vector<uint64_t> first_seen;
  for (const auto& entry : report.syscalls) first_seen.push_back(entry.first_seen_ns);
  std::sort(first_seen.begin(), first_seen.end());
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
  std::map<common::Category, uint64_t> calls;
  for (const auto& entry : report.syscalls) {
    auto& sum = calls[common::category_of(entry.name)];
    sum = common::saturating_add(sum, entry.count);
  }
  std::vector<svg::Bar> bars;
  for (common::Category category : common::all_categories()) {
    bars.push_back({std::string(common::category_name(category)), calls[category],
                    category == common::Category::security_sensitive});
  }
  return "<section id=\"categories\"><h2>Calls by category</h2>" +
         svg::bar_chart(bars, "calls by category") + "</section>\n";
}

std::string sensitive(const Report& report) {
  std::string items;
  for (const auto& entry : report.syscalls) {
    const auto why = common::sensitivity_reason(entry.name);
    if (why.empty()) continue;
    items += "<li><strong>" + escape(entry.name) + "</strong> (" +
             escape(common::phase_name(entry.phase)) + ", first by " + escape(caller_label(entry)) +
             "): " + escape(why) + "</li>";
  }
  return "<section id=\"sensitive\"><h2>Security-sensitive calls</h2>" +
         (items.empty() ? std::string("<p>None.</p>") : "<ul>" + items + "</ul>") + "</section>\n";
}

template <typename Names>
std::string option_list(const Names& values) {
  std::string out;
  for (const auto& value : values) {
    out += "<option value=\"" + escape(value) + "\">" + escape(value) + "</option>";
  }
  return out;
}

std::string syscall_table(const Report& report) {
  std::set<std::string> comms;
  for (const auto& entry : report.syscalls) {
    if (entry.first_caller) comms.insert(entry.first_caller->comm);
  }
  std::vector<std::string> category_names;  // in display order
  for (common::Category category : common::all_categories()) {
    category_names.emplace_back(common::category_name(category));
  }
  std::string out =
      "<section id=\"table\"><h2>Syscalls</h2><div class=\"filters\">"
      "<label>Category <select id=\"filter-category\"><option value=\"\">all</option>" +
      option_list(category_names) +
      "</select></label><label>First process <select id=\"filter-process\">"
      "<option value=\"\">all</option>" +
      option_list(comms) +
      "</select></label><label>Search <input id=\"filter-text\" type=\"search\"></label>"
      "<span><span id=\"shown\">" +
      std::to_string(report.syscalls.size()) + "</span> of " +
      std::to_string(report.syscalls.size()) +
      " shown</span></div><table id=\"syscalls\"><thead><tr><th>Syscall</th><th>Arch</th>"
      "<th>Phase</th><th>Category</th><th class=\"num\">Calls</th>"
      "<th class=\"num\">First seen (s)</th><th>First process</th></tr></thead><tbody>";
  for (const auto& entry : report.syscalls) {
    const std::string name = syscall_name(entry);
    const std::string category(common::category_name(common::category_of(entry.name)));
    const auto why = common::sensitivity_reason(entry.name);
    const std::string comm = entry.first_caller ? entry.first_caller->comm : "";
    const std::string caller = caller_label(entry);
    out += "<tr data-category=\"" + escape(category) + "\" data-comm=\"" + escape(comm) + "\"" +
           (why.empty() ? "" : " class=\"sensitive\"") + "><td data-v=\"" + escape(name) + "\">" +
           escape(name) + (why.empty() ? "" : "<div class=\"why\">" + escape(why) + "</div>") +
           "</td><td data-v=\"" + escape(entry.arch) + "\">" + escape(entry.arch) +
           "</td><td data-v=\"" + escape(common::phase_name(entry.phase)) + "\">" +
           escape(common::phase_name(entry.phase)) + "</td><td data-v=\"" + category + "\">" +
           category + "</td><td class=\"num\" data-v=\"" + std::to_string(entry.count) + "\">" +
           std::to_string(entry.count) + "</td><td class=\"num\" data-v=\"" +
           std::to_string(entry.first_seen_ns) + "\">" + seconds(entry.first_seen_ns) +
           "</td><td data-v=\"" + escape(caller) + "\">" + escape(caller) + "</td></tr>\n";
  }
  return out + "</tbody></table></section>\n";
}

// A report keeps pid, tid and comm of each first caller but no parent, so the tree is
// process, then thread, then the calls it made first, in order.
std::string first_callers(const Report& report) {
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
    return escape(common::join(items));
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
           escape(entry.arch) + ", " + escape(common::phase_name(entry.phase)) + ") argument " +
           std::to_string(arg.index) + ": " + std::to_string(arg.values.size()) + " values" +
           (arg.complete ? "" : ", partial: the recorder ran out of room") +
           "</summary><p class=\"values\">";
    bool first = true;
    char text[64];
    for (const auto& [value, calls] : arg.values) {
      std::snprintf(text, sizeof text, "%s0x%llx \xC3\x97%llu", first ? "" : ", ",
                    static_cast<unsigned long long>(value), static_cast<unsigned long long>(calls));
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

std::string render_html_report(const Report& report, const std::vector<DefaultFit>& fits) {
  const std::string title = "tailor report: " + common::command_line(report.info);
  return kHead + ("<title>" + escape(title) + "</title>\n") + kStyle + "</head><body><h1>" +
         escape(title) + "</h1>\n" + denied(report) + warnings(report) + summary(report) +
         defaults(fits) + convergence(report) + categories(report) + sensitive(report) +
         syscall_table(report) + first_callers(report) + argument_values(report) + kScript +
         "</body></html>\n";
}

}  // namespace tailor::agent
