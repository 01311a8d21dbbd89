#include "agent/commands/profile_page.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>

#include "agent/commands/allow_set.h"
#include "agent/commands/diff_defaults.h"
#include "common/html/page.h"
#include "common/html/report_page.h"
#include "common/profile/runtime_needs.h"
#include "common/reference/reference_profiles.h"
#include "common/syscalls/categories.h"
#include "common/syscalls/names.h"
#include "common/util/saturating.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

using common::html::cell;
using common::html::escape;
using common::html::markup_cell;
using common::html::number_cell;

// Why the profile has a rule for a syscall: the values of the table's Reason filter.
constexpr const char* kRecorded = "recorded";
constexpr const char* kRuntime = "runtime";
constexpr const char* kImplied = "implied";
constexpr const char* kAsked = "asked for";
constexpr const char* kErrno = "answered with an error";

struct Row {
  std::string reason;
  std::string why;
  uint64_t calls = 0;
  uint64_t first_seen_ns = UINT64_MAX;
  std::string first_caller;
  std::string rule;
  bool allowed = false;
};

std::string entry_name(const common::SyscallEntry& entry) {
  if (!entry.name.empty()) return entry.name;
  const auto resolved = common::syscall_name(entry.arch, entry.nr);
  return resolved.ok() && resolved->has_value() ? **resolved : "";
}

std::string errno_text(std::optional<uint32_t> value) {
  if (!value) return "an error";
  const char* name = strerrorname_np(static_cast<int>(*value));
  std::string text = name ? std::string(name) : "errno " + std::to_string(*value);
  if (*value == ENOSYS) text += ", which callers take as \"not implemented\" and fall back";
  return text;
}

// One row per syscall the profile has a rule for, each with the reason it is there.
std::map<std::string, Row> rows_of(const common::Report& report,
                                   const common::GeneratedProfile& generated,
                                   const common::GenerateOptions& options, const AllowSet& allows) {
  std::map<std::string, Row> rows;
  // The native architecture's rules first: they are the ones the workload meets.
  std::vector<const std::map<std::string, Allowance>*> arches;
  if (const auto native = allows.arches.find(report.info.native_arch);
      native != allows.arches.end()) {
    arches.push_back(&native->second);
  }
  for (const auto& [arch, names] : allows.arches) arches.push_back(&names);
  for (const auto* names : arches) {
    for (const auto& [name, allowance] : *names) {
      Row& row = rows[name];
      if (row.allowed) continue;
      row.allowed = true;
      row.rule = allowance_text(allowance);
    }
  }
  for (const auto& rule : generated.profile.syscalls) {
    if (rule.action != common::Action::return_errno) continue;
    for (const auto& name : rule.names) {
      Row& row = rows[name];
      if (!row.allowed) row.rule = "fails with " + errno_text(rule.errno_ret);
    }
  }

  for (const auto& entry : report.syscalls) {
    if (!common::meets_profile(entry)) continue;
    const auto found = rows.find(entry_name(entry));
    if (found == rows.end()) continue;
    Row& row = found->second;
    row.reason = kRecorded;
    row.calls = common::saturating_add(row.calls, entry.count);
    if (entry.first_caller && entry.first_seen_ns < row.first_seen_ns) {
      row.first_seen_ns = entry.first_seen_ns;
      row.first_caller =
          entry.first_caller->comm + "[" + std::to_string(entry.first_caller->pid) + "]";
    }
  }
  // The generator keeps the first reason of a name added twice: the runtime's, then the
  // user's, then the implications'.
  std::set<std::string> runtime_needs;
  for (const common::Runtime runtime : common::detect_runtimes(report)) {
    for (auto& name : common::runtime_post_filter_syscalls(runtime, options.no_new_privileges)) {
      runtime_needs.insert(std::move(name));
    }
  }
  const std::set<std::string> asked(options.always_allow.begin(), options.always_allow.end());
  for (const auto& added : generated.added) {
    Row& row = rows[added.name];
    row.reason = runtime_needs.contains(added.name) ? kRuntime
                 : asked.contains(added.name)       ? kAsked
                                                    : kImplied;
    row.why = added.reason;
  }
  for (auto& [name, row] : rows) {
    if (row.reason.empty()) row.reason = row.allowed ? kRecorded : kErrno;
  }
  return rows;
}

std::string summary(const common::Report& report, const common::GeneratedProfile& generated,
                    const common::GenerateOptions& options,
                    const std::map<std::string, Row>& rows) {
  std::size_t allowed = 0, recorded = 0, restricted = 0;
  for (const auto& [name, row] : rows) {
    allowed += row.allowed;
    recorded += row.allowed && row.reason == kRecorded;
    restricted += row.allowed && row.rule != "any arguments";
  }
  const auto& info = report.info;
  std::string out = "<section id=\"summary\"><h2>Summary</h2><dl class=\"summary\">";
  const auto item = [&out](std::string_view term, const std::string& value,
                           std::string_view id = "") {
    out += "<dt>" + escape(term) + "</dt><dd" +
           (id.empty() ? "" : " id=\"" + std::string(id) + "\"") + ">" + escape(value) + "</dd>";
  };
  item("Recording", info.target_kind + " " + common::command_line(info));
  item("Host", info.hostname + " (" + info.native_arch + ", kernel " + info.kernel + ")");
  item("Allowed syscalls", std::to_string(allowed), "allowed-count");
  item("Recorded", std::to_string(recorded), "recorded-count");
  item("Added", std::to_string(generated.added.size()), "added-count");
  item("With argument rules", std::to_string(restricted), "restricted-count");
  item("Architectures", common::join(generated.profile.architectures));
  item("Any other syscall", "fails with " + errno_text(generated.profile.default_errno_ret));
  item("Argument rules", std::string(common::arg_level_name(options.arg_level)) +
                             (options.implications ? "" : "; implications off"));
  return out + "</dl></section>\n";
}

std::string warnings(const common::Report& report, const common::GeneratedProfile& generated) {
  std::string out = common::html::recorder_warnings(report);
  std::vector<std::string> lines = generated.warnings;
  if (common::records_nothing(report)) {
    lines.push_back("the recording holds no syscalls: this profile allows only what was added");
  }
  if (lines.empty()) return out;
  out += "<section id=\"profile-warnings\" class=\"warning\"><strong>Warnings</strong><ul>";
  for (const auto& line : lines) out += "<li>" + escape(line) + "</li>";
  return out + "</ul></section>\n";
}

std::string defaults_table(const AllowSet& profile, const std::vector<AgainstDefault>& defaults) {
  std::string out =
      "<section id=\"defaults\"><h2>Against the runtime defaults</h2><p>What each runtime's "
      "default profile allows on each architecture of this profile, and what this profile "
      "removes and adds (<code>tailor diff PROFILE --against NAME</code>).</p><table "
      "id=\"against\"><thead><tr><th>Default</th><th>Arch</th><th class=\"num\">Allowed by "
      "it</th><th class=\"num\">Allowed here</th><th class=\"num\">Removed</th><th "
      "class=\"num\">Security-sensitive removed</th><th class=\"num\">Added</th></tr></thead>"
      "<tbody>";
  for (const auto& against : defaults) {
    const auto head = [&against](const std::string& arch) {
      return "<tr><td>" + escape(against.name) + " <small>" + escape(against.version) +
             "</small></td><td>" + escape(arch) + "</td>";
    };
    for (const auto& [arch, names] : profile.arches) {
      const auto theirs = against.allows.arches.find(arch);
      if (theirs == against.allows.arches.end()) {
        out += head(arch) + "<td colspan=\"5\">does not cover " + escape(arch) +
               " on this host</td></tr>";
        continue;
      }
      std::size_t sensitive = 0;
      if (const auto removed = against.diff.only_b.find(arch);
          removed != against.diff.only_b.end()) {
        for (const auto& name : removed->second) sensitive += common::is_security_sensitive(name);
      }
      out += head(arch) + "<td class=\"num\">" + std::to_string(theirs->second.size()) +
             "</td><td class=\"num\">" + std::to_string(names.size()) + "</td><td class=\"num\">" +
             std::to_string(count_on(against.diff.only_b, arch)) + "</td><td class=\"num\">" +
             std::to_string(sensitive) + "</td><td class=\"num\">" +
             std::to_string(count_on(against.diff.only_a, arch)) + "</td></tr>";
    }
    for (const auto& [arch, names] : against.allows.arches) {
      if (profile.arches.contains(arch)) continue;
      out += head(arch) + "<td class=\"num\">" + std::to_string(names.size()) +
             "</td><td colspan=\"4\">none: this profile does not "
             "cover " +
             escape(arch) + ", so every call of it fails</td></tr>";
    }
  }
  return out + "</tbody></table></section>\n";
}

// Each security-sensitive call a default allows and this profile does not, on an architecture
// the profile covers (the defaults table says which it drops whole).
std::string removed_table(const AllowSet& profile, const std::vector<AgainstDefault>& defaults) {
  std::map<std::string, std::set<std::string>> removed_from;  // name -> defaults
  for (const auto& against : defaults) {
    for (const auto& [arch, names] : against.diff.only_b) {
      if (!profile.arches.contains(arch)) continue;
      for (const auto& name : names) {
        if (common::is_security_sensitive(name)) removed_from[name].insert(against.name);
      }
    }
  }
  std::string out =
      "<section id=\"removed\"><h2>Security-sensitive calls removed</h2><p>Calls a default "
      "allows that this profile denies, and why each matters.</p>";
  if (removed_from.empty()) return out + "<p>None.</p></section>\n";
  out +=
      "<table id=\"removed-calls\" class=\"sortable\"><thead><tr><th>Syscall</th><th>Why it "
      "matters</th>";
  for (const auto& against : defaults) out += "<th>" + escape(against.name) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& [name, from] : removed_from) {
    out += "<tr>" + cell(name) + cell(common::sensitivity_reason(name));
    for (const auto& against : defaults) {
      out += cell(from.contains(against.name) ? "removed" : "denied by it too");
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></section>\n";
}

std::string rows_table(const std::map<std::string, Row>& rows) {
  std::vector<std::string> category_names;
  for (common::Category category : common::all_categories()) {
    category_names.emplace_back(common::category_name(category));
  }
  std::string out =
      "<section id=\"rules\"><h2>Syscalls in the profile</h2><p>Each syscall the profile has a "
      "rule for, why, and the arguments it passes with. <em>Recorded</em>: the workload (or its "
      "runtime after installing the filter) made it; <em>runtime</em>: the container runtime "
      "calls it after installing the filter; <em>implied</em>: timing or chance makes it, given "
      "what was recorded; <em>asked for</em>: <code>--allow</code>.</p>" +
      common::html::filter_box(
          "profile-syscalls",
          {{"Reason", "filter-reason", "reason", {kRecorded, kRuntime, kImplied, kAsked, kErrno}},
           {"Category", "filter-category", "category", category_names}},
          "filter-text", "shown", rows.size()) +
      "<table id=\"profile-syscalls\" class=\"sortable\"><thead><tr><th>Syscall</th>"
      "<th>Category</th><th>Reason</th><th class=\"num\">Calls</th><th>First process</th>"
      "<th>Arguments</th></tr></thead><tbody>";
  for (const auto& [name, row] : rows) {
    const std::string category(common::category_name(common::category_of(name)));
    const auto sensitive = common::sensitivity_reason(name);
    out += "<tr data-reason=\"" + escape(row.reason) + "\" data-category=\"" + escape(category) +
           "\"" + (sensitive.empty() ? "" : " class=\"sensitive\"") + ">" +
           markup_cell(
               name, escape(name) + (sensitive.empty()
                                         ? ""
                                         : "<div class=\"why\">" + escape(sensitive) + "</div>")) +
           cell(category) +
           markup_cell(
               row.reason,
               escape(row.reason) +
                   (row.why.empty() ? "" : "<div class=\"note\">" + escape(row.why) + "</div>")) +
           number_cell(row.calls) + cell(row.first_caller.empty() ? "-" : row.first_caller) +
           cell(row.rule) + "</tr>\n";
  }
  return out + "</tbody></table></section>\n";
}

}  // namespace

common::Result<std::string> render_profile_page(const common::Report& report,
                                                const common::GeneratedProfile& generated,
                                                const common::GenerateOptions& options) {
  auto allows = profile_allow_set(generated.profile, "profile");
  if (!allows.ok()) return allows.error();
  auto defaults = against_defaults(*allows);
  if (!defaults.ok()) return defaults.error();
  const auto rows = rows_of(report, generated, options, *allows);
  return common::html::page("tailor profile: " + common::command_line(report.info),
                            warnings(report, generated) +
                                summary(report, generated, options, rows) +
                                defaults_table(*allows, *defaults) +
                                removed_table(*allows, *defaults) + rows_table(rows));
}

}  // namespace tailor::agent
