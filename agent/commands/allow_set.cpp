#include "agent/commands/allow_set.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <tuple>

#include "common/profile/moby_conditions.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

using common::ArgOp;
using common::ArgRule;

// The architectures a runtime filters on this host, as Moby resolves archMap.
std::vector<std::string> covered_arches(const common::Profile& profile) {
  const std::string native = common::native_arch();
  const std::string native_oci = common::oci_arch_name(native).value();
  std::vector<std::string> oci_names;
  for (const auto& entry : profile.arch_map) {
    if (entry.architecture != native_oci) continue;
    oci_names.push_back(entry.architecture);
    oci_names.insert(oci_names.end(), entry.sub_architectures.begin(),
                     entry.sub_architectures.end());
  }
  if (profile.arch_map.empty()) oci_names = profile.architectures;
  std::vector<std::string> tokens;
  for (const auto& name : oci_names) {
    const auto token = name == "SCMP_ARCH_NATIVE" ? native : common::arch_from_oci_name(name);
    // Unknown to this libseccomp: decode_profile already warned.
    if (token.ok() && std::find(tokens.begin(), tokens.end(), *token) == tokens.end()) {
      tokens.push_back(*token);
    }
  }
  if (tokens.empty()) tokens.push_back(native);
  return tokens;
}

std::string number(uint64_t value) {
  if (value < 4096) return std::to_string(value);
  char text[19];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string condition_text(std::vector<ArgRule> rules) {
  std::sort(rules.begin(), rules.end(), [](const ArgRule& a, const ArgRule& b) {
    return std::tie(a.index, a.op, a.value, a.value_two) <
           std::tie(b.index, b.op, b.value, b.value_two);
  });
  std::vector<std::string> parts;
  for (const auto& rule : rules) {
    const std::string arg = "arg" + std::to_string(rule.index);
    if (rule.op == ArgOp::masked_equal) {
      parts.push_back(arg + " & " + number(rule.value) + " == " + number(rule.value_two));
      continue;
    }
    static const std::map<ArgOp, std::string> kOps = {
        {ArgOp::not_equal, "!="}, {ArgOp::less_than, "<"},         {ArgOp::less_or_equal, "<="},
        {ArgOp::equal, "=="},     {ArgOp::greater_or_equal, ">="}, {ArgOp::greater_than, ">"}};
    parts.push_back(arg + " " + kOps.at(rule.op) + " " + number(rule.value));
  }
  return common::join(parts, " && ");
}

void allow(Allowance& allowance, const std::vector<ArgRule>& args) {
  if (args.empty()) {
    allowance.any_args = true;
    allowance.conditions.clear();
  } else if (!allowance.any_args) {
    allowance.conditions.insert(condition_text(args));
  }
}

std::string summary(const Allowance& allowance) {
  if (allowance.any_args) return "any arguments";
  constexpr std::size_t kShown = 3;
  if (allowance.conditions.size() > kShown) {
    return std::to_string(allowance.conditions.size()) + " conditions";
  }
  return common::join({allowance.conditions.begin(), allowance.conditions.end()}, " or ");
}

bool exists(const std::string& arch, const std::string& name) {
  const auto nr = common::syscall_number(arch, name);
  return nr.ok() && nr->has_value();
}

}  // namespace

common::Result<AllowSet> profile_allow_set(const common::Profile& profile, std::string what) {
  using common::Action;
  if (profile.default_action == Action::allow || profile.default_action == Action::log) {
    return common::make_error(what + " allows every syscall by default (defaultAction " +
                              std::string(common::action_name(profile.default_action)) +
                              "); diff compares deny-by-default profiles");
  }
  AllowSet out{std::move(what), {}};
  for (const auto& arch : covered_arches(profile)) {
    auto& names = out.arches[arch];
    for (const auto& rule : profile.syscalls) {
      if (rule.action != Action::allow && rule.action != Action::log) continue;
      if (!common::applies_to_default_container(rule)) continue;
      for (const auto& name : rule.names) {
        if (exists(arch, name)) allow(names[name], rule.args);
      }
    }
  }
  return out;
}

AllowSet report_allow_set(const common::Report& report) {
  AllowSet out{"report", {}};
  for (const auto& entry : report.syscalls) {
    if (entry.phase == common::Phase::runtime_setup) continue;
    std::string name = entry.name;
    if (name.empty()) {
      const auto resolved = common::syscall_name(entry.arch, entry.nr);
      if (!resolved.ok() || !resolved->has_value()) continue;  // no profile can name it
      name = **resolved;
    }
    Allowance& allowance = out.arches[entry.arch][name];
    if (!entry.arg || !entry.arg->complete) {
      allow(allowance, {});
      continue;
    }
    for (const auto& [value, calls] : entry.arg->values) {
      allow(allowance, {ArgRule{.index = entry.arg->index, .value = value, .op = ArgOp::equal}});
    }
  }
  return out;
}

AllowDiff compare(const AllowSet& a, const AllowSet& b) {
  AllowDiff diff;
  static const std::map<std::string, Allowance> kNone;
  std::set<std::string> arches;
  for (const auto& [arch, names] : a.arches) arches.insert(arch);
  for (const auto& [arch, names] : b.arches) arches.insert(arch);
  for (const auto& arch : arches) {
    const auto& in_a = a.arches.contains(arch) ? a.arches.at(arch) : kNone;
    const auto& in_b = b.arches.contains(arch) ? b.arches.at(arch) : kNone;
    for (const auto& [name, allowance] : in_a) {
      const auto other = in_b.find(name);
      if (other == in_b.end()) {
        diff.only_a[arch].push_back(name);
      } else if (!(other->second == allowance)) {
        diff.args_differ.push_back({arch, name, summary(allowance), summary(other->second)});
      }
    }
    for (const auto& [name, allowance] : in_b) {
      if (!in_a.contains(name)) diff.only_b[arch].push_back(name);
    }
  }
  return diff;
}

}  // namespace tailor::agent
