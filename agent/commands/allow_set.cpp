#include "agent/commands/allow_set.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <tuple>

#include "common/profile/evaluate.h"
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

// Arguments the kernel declares int or unsigned int (SYSCALL_DEFINE) among those of the
// syscalls whose argument Tailor records and restricts: it reads their low 32 bits only.
constexpr std::array<std::pair<std::string_view, uint32_t>, 15> kIntArguments = {{
    {"socket", 0},
    {"socket", 1},
    {"socket", 2},
    {"socketpair", 0},
    {"socketpair", 1},
    {"socketpair", 2},
    {"setns", 0},
    {"setns", 1},
    {"personality", 0},
    {"prctl", 0},
    {"ioctl", 0},
    {"ioctl", 1},
    {"bpf", 0},
    {"bpf", 2},
    {"keyctl", 0},
}};

// Architectures whose syscall arguments are 32 bits wide: seccomp sees the upper half zero.
constexpr std::array<std::string_view, 7> kNarrowArches = {"x86", "arm",  "mips",  "mipsel",
                                                           "ppc", "s390", "parisc"};

constexpr uint64_t kLow32 = 0xffffffff;

bool is_32_bit(const std::string& arch, const std::string& name, uint32_t index) {
  return std::find(kNarrowArches.begin(), kNarrowArches.end(), arch) != kNarrowArches.end() ||
         std::find(kIntArguments.begin(), kIntArguments.end(),
                   std::pair<std::string_view, uint32_t>(name, index)) != kIntArguments.end();
}

// One spelling per meaning: a mask over every bit the argument has is equality, and the
// second value only masked equality reads is zero elsewhere.
ArgRule normalised(const std::string& arch, const std::string& name, ArgRule rule) {
  const uint64_t width = is_32_bit(arch, name, rule.index) ? kLow32 : ~uint64_t{0};
  if (rule.op == ArgOp::masked_equal && (rule.value & width) == width) {
    rule = {.index = rule.index, .value = rule.value_two, .op = ArgOp::equal};
  }
  if (rule.op != ArgOp::masked_equal) rule.value_two = 0;
  return rule;
}

std::string number(uint64_t value) {
  if (value < 4096) return std::to_string(value);
  char text[19];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string condition_text(const std::vector<ArgRule>& rules) {
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

void allow(Allowance& allowance, const std::string& arch, const std::string& name,
           const std::vector<ArgRule>& args) {
  if (args.empty()) {
    allowance.any_args = true;
    allowance.conditions.clear();
    return;
  }
  if (allowance.any_args) return;
  std::vector<ArgRule> rules;
  for (const auto& rule : args) rules.push_back(normalised(arch, name, rule));
  std::sort(rules.begin(), rules.end(), [](const ArgRule& a, const ArgRule& b) {
    return std::tie(a.index, a.op, a.value, a.value_two) <
           std::tie(b.index, b.op, b.value, b.value_two);
  });
  allowance.conditions.emplace(condition_text(rules), std::move(rules));
}

// The values a comparison admits, when they form one interval.
struct Range {
  uint64_t low;
  uint64_t high;
};

std::optional<Range> range_of(const ArgRule& rule) {
  constexpr uint64_t kMax = ~uint64_t{0};
  switch (rule.op) {
    case ArgOp::equal:
      return Range{rule.value, rule.value};
    case ArgOp::less_or_equal:
      return Range{0, rule.value};
    case ArgOp::less_than:
      if (rule.value == 0) return std::nullopt;
      return Range{0, rule.value - 1};
    case ArgOp::greater_or_equal:
      return Range{rule.value, kMax};
    case ArgOp::greater_than:
      if (rule.value == kMax) return std::nullopt;
      return Range{rule.value + 1, kMax};
    default:
      return std::nullopt;
  }
}

// Whether every value meeting `c` meets `d`. Sound, not complete: false when unsure.
bool implies(const ArgRule& c, const ArgRule& d) {
  if (c.index != d.index) return false;
  if (c == d) return true;
  if (c.op == ArgOp::equal) return common::condition_holds(d, c.value);
  if (c.op == ArgOp::masked_equal && d.op == ArgOp::masked_equal) {
    return (d.value & ~c.value) == 0 && (c.value_two & d.value) == d.value_two;
  }
  const auto c_range = range_of(c), d_range = range_of(d);
  if (c_range && d_range) return d_range->low <= c_range->low && c_range->high <= d_range->high;
  if (c_range && d.op == ArgOp::not_equal) {
    return d.value < c_range->low || d.value > c_range->high;
  }
  return false;
}

// Whether every call `inner` admits, `outer` admits.
bool contains(const Allowance& outer, const Allowance& inner) {
  if (outer.any_args) return true;
  if (inner.any_args) return false;
  return std::all_of(inner.conditions.begin(), inner.conditions.end(), [&](const auto& in) {
    return std::any_of(outer.conditions.begin(), outer.conditions.end(), [&](const auto& out) {
      return std::all_of(out.second.begin(), out.second.end(), [&](const ArgRule& needed) {
        return std::any_of(in.second.begin(), in.second.end(),
                           [&](const ArgRule& given) { return implies(given, needed); });
      });
    });
  });
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
        if (exists(arch, name)) allow(names[name], arch, name, rule.args);
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
      allow(allowance, entry.arch, name, {});
      continue;
    }
    const uint32_t index = entry.arg->index;
    // The kernel reads an int argument's low half, whatever a caller left in the upper one.
    const uint64_t mask = is_32_bit(entry.arch, name, index) ? kLow32 : ~uint64_t{0};
    for (const auto& [value, calls] : entry.arg->values) {
      allow(allowance, entry.arch, name,
            {ArgRule{.index = index, .value = value & mask, .op = ArgOp::equal}});
    }
  }
  return out;
}

AllowDiff compare(const AllowSet& a, const AllowSet& b) {
  AllowDiff diff;
  static const std::map<std::string, Allowance> kNone;
  for (const auto& arch : arches_of(a, b)) {
    const auto& in_a = a.arches.contains(arch) ? a.arches.at(arch) : kNone;
    const auto& in_b = b.arches.contains(arch) ? b.arches.at(arch) : kNone;
    for (const auto& [name, allowance] : in_a) {
      const auto other = in_b.find(name);
      if (other == in_b.end()) {
        diff.only_a[arch].push_back(name);
        continue;
      }
      const bool a_in_b = contains(other->second, allowance);
      const bool b_in_a = contains(allowance, other->second);
      if (a_in_b && b_in_a) continue;
      constexpr std::size_t kShown = 3;
      diff.args_differ.push_back({arch, name, allowance_text(allowance, kShown),
                                  allowance_text(other->second, kShown),
                                  a_in_b ? Wider::b : (b_in_a ? Wider::a : Wider::both)});
    }
    for (const auto& [name, allowance] : in_b) {
      if (!in_a.contains(name)) diff.only_b[arch].push_back(name);
    }
  }
  return diff;
}

std::string allowance_text(const Allowance& allowance, std::size_t shown) {
  if (allowance.any_args) return "any arguments";
  if (allowance.conditions.size() > shown) {
    return std::to_string(allowance.conditions.size()) + " conditions";
  }
  std::vector<std::string> texts;
  for (const auto& [text, rules] : allowance.conditions) texts.push_back(text);
  return common::join(texts, " or ");
}

std::size_t count_on(const NamesByArch& names, const std::string& arch) {
  const auto found = names.find(arch);
  return found == names.end() ? 0 : found->second.size();
}

std::size_t count_on(const AllowSet& set, const std::string& arch) {
  const auto found = set.arches.find(arch);
  return found == set.arches.end() ? 0 : found->second.size();
}

std::set<std::string> arches_of(const AllowSet& a, const AllowSet& b) {
  std::set<std::string> out;
  for (const auto& [arch, names] : a.arches) out.insert(arch);
  for (const auto& [arch, names] : b.arches) out.insert(arch);
  return out;
}

}  // namespace tailor::agent
