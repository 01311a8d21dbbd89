#include "tests/common/reference/go_profile_source.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include "common/util/strings.h"

namespace tailor::common::testing {
namespace {

// The golang.org/x/sys/unix constants the source uses, as on Linux.
const std::map<std::string, uint64_t> kUnixConstants = {
    {"AF_ALG", 38},
    {"AF_VSOCK", 40},
    {"ENOSYS", 38},
    {"CLONE_NEWNS", 0x20000},
    {"CLONE_NEWCGROUP", 0x2000000},
    {"CLONE_NEWUTS", 0x4000000},
    {"CLONE_NEWIPC", 0x8000000},
    {"CLONE_NEWUSER", 0x10000000},
    {"CLONE_NEWPID", 0x20000000},
    {"CLONE_NEWNET", 0x40000000},
};

const std::map<std::string, std::string> kOps = {
    {"specs.OpNotEqual", "SCMP_CMP_NE"},          {"specs.OpLessThan", "SCMP_CMP_LT"},
    {"specs.OpLessEqual", "SCMP_CMP_LE"},         {"specs.OpEqualTo", "SCMP_CMP_EQ"},
    {"specs.OpGreaterEqual", "SCMP_CMP_GE"},      {"specs.OpGreaterThan", "SCMP_CMP_GT"},
    {"specs.OpMaskedEqual", "SCMP_CMP_MASKED_EQ"}};

const std::map<std::string, std::string> kActions = {{"specs.ActAllow", "SCMP_ACT_ALLOW"},
                                                     {"specs.ActErrno", "SCMP_ACT_ERRNO"}};

// A line of Go source without its blanks and the comma that ends a list item.
std::string trim(std::string_view text) {
  text = common::trim(text);
  while (text.ends_with(',')) text = common::trim(text.substr(0, text.size() - 1));
  return std::string(text);
}

// The quoted strings of a line, comments left out.
std::vector<std::string> quoted(std::string line) {
  if (const auto comment = line.find("//"); comment != std::string::npos) line.resize(comment);
  std::vector<std::string> out;
  for (auto open = line.find('"'); open != std::string::npos; open = line.find('"', open + 1)) {
    const auto close = line.find('"', open + 1);
    if (close == std::string::npos) break;
    out.push_back(line.substr(open + 1, close - open - 1));
    open = close;
  }
  return out;
}

// After "Key:", trimmed.
std::string field(const std::string& line) { return trim(line.substr(line.find(':') + 1)); }

Result<uint64_t> term(std::string text) {
  text = trim(text);
  if (text.rfind("unix.", 0) == 0) {
    const auto found = kUnixConstants.find(text.substr(5));
    if (found == kUnixConstants.end()) return make_error("unknown constant " + text);
    return found->second;
  }
  try {
    std::size_t used = 0;
    const uint64_t value = std::stoull(text, &used, 0);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return make_error("cannot read value \"" + text + "\"");
}

// "a | b | c" and "a + 1", the only forms the source uses.
Result<uint64_t> value_of(const std::string& expression) {
  uint64_t out = 0;
  std::stringstream terms(expression);
  for (std::string alternative; std::getline(terms, alternative, '|');) {
    uint64_t sum = 0;
    std::stringstream parts(alternative);
    for (std::string part; std::getline(parts, part, '+');) {
      const auto value = term(part);
      if (!value.ok()) return value.error();
      sum += *value;
    }
    out |= sum;
  }
  return out;
}

std::size_t indent_of(const std::string& line) {
  return std::find_if(line.begin(), line.end(), [](char c) { return c != '\t'; }) - line.begin();
}

enum class Block { arch_switch, cap_switch, kernel_check, not_admin, other };

struct Frame {
  std::size_t indent;
  Block block;
  std::vector<std::string> current_case;  // empty: `default`
  std::vector<std::string> cases_seen;
};

void apply_conditions(const std::vector<Frame>& stack, const std::string& min_kernel,
                      GoRule& rule) {
  for (const auto& frame : stack) {
    switch (frame.block) {
      case Block::arch_switch:
        if (frame.current_case.empty()) {
          rule.exclude_arches.insert(frame.cases_seen.begin(), frame.cases_seen.end());
        } else {
          rule.include_arches.insert(frame.current_case.begin(), frame.current_case.end());
        }
        break;
      case Block::cap_switch:
        rule.include_caps.insert(frame.current_case.begin(), frame.current_case.end());
        break;
      case Block::kernel_check:
        rule.min_kernel = min_kernel;
        break;
      case Block::not_admin:
        rule.exclude_caps.insert("CAP_SYS_ADMIN");
        break;
      case Block::other:
        break;
    }
  }
}

std::string oci_arch(const std::string& spec_name) {
  std::string upper = spec_name.substr(spec_name.find("Arch") + 4);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return "SCMP_ARCH_" + upper;
}

}  // namespace

Result<GoProfile> read_go_profile(const std::string& source) {
  GoProfile profile;
  std::vector<Frame> stack;
  std::string min_kernel;
  std::optional<GoRule> rule;
  std::istringstream lines(source);
  const auto flush = [&] {
    if (rule) profile.rules.push_back(std::move(*rule));
    rule.reset();
  };
  for (std::string line; std::getline(lines, line);) {
    const std::size_t indent = indent_of(line);
    const std::string text = trim(line);
    if (text == "}" || text == "})" || text.rfind("} else", 0) == 0) {
      if (!stack.empty() && stack.back().indent == indent) stack.pop_back();
    } else if (text.rfind("func ", 0) == 0) {
      stack.clear();
      stack.push_back({indent, Block::other, {}, {}});
    } else if (text == "switch runtime.GOARCH {") {
      stack.push_back({indent, Block::arch_switch, {}, {}});
    } else if (text == "switch c {") {
      stack.push_back({indent, Block::cap_switch, {}, {}});
    } else if (text == "if ok {") {
      stack.push_back({indent, Block::kernel_check, {}, {}});
    } else if (text == "if !admin {") {
      stack.push_back({indent, Block::not_admin, {}, {}});
    } else if (text.find("kernelversion.KernelVersion{") != std::string::npos) {
      const auto kernel = text.find("Kernel: "), major = text.find("Major: ");
      min_kernel = std::to_string(std::stoi(text.substr(kernel + 8))) + "." +
                   std::to_string(std::stoi(text.substr(major + 7)));
    } else if ((text.rfind("case ", 0) == 0 || text == "default:") && !stack.empty()) {
      Frame& frame = stack.back();
      frame.current_case = text == "default:" ? std::vector<std::string>{} : quoted(text);
      frame.cases_seen.insert(frame.cases_seen.end(), frame.current_case.begin(),
                              frame.current_case.end());
    } else if (text.rfind("return []specs.Arch{", 0) == 0 && !stack.empty()) {
      std::set<std::string> arches;
      std::stringstream items(text.substr(text.find('{') + 1));
      for (std::string item; std::getline(items, item, ',');) {
        item = trim(item);
        if (item.back() == '}') item.pop_back();
        if (!item.empty()) arches.insert(oci_arch(item));
      }
      if (!arches.empty()) profile.arch_sets.insert(arches);
    } else if (text.rfind("DefaultAction:", 0) == 0) {
      const auto action = kActions.find(field(text));
      if (action == kActions.end()) return make_error("unknown action in: " + text);
      profile.default_action = action->second;
    } else if (text.rfind("Names:", 0) == 0) {
      flush();
      rule.emplace();
      apply_conditions(stack, min_kernel, *rule);
      rule->names = quoted(text);
      if (text.back() != '}') {  // one name a line up to the closing brace
        for (std::string item; std::getline(lines, item) && trim(item) != "}";) {
          for (auto& name : quoted(item)) rule->names.push_back(std::move(name));
        }
      }
    } else if (rule && text.rfind("Action:", 0) == 0) {
      const auto action = kActions.find(field(text));
      if (action == kActions.end()) return make_error("unknown action in: " + text);
      rule->action = action->second;
    } else if (rule && text.rfind("ErrnoRet:", 0) == 0) {
      if (field(text) != "&nosys") return make_error("unknown errno in: " + text);
      rule->errno_ret = kUnixConstants.at("ENOSYS");
    } else if (rule && text.rfind("Index:", 0) == 0) {
      rule->args.push_back({.index = static_cast<uint32_t>(std::stoul(field(text)))});
    } else if (rule && !rule->args.empty() &&
               (text.rfind("Value:", 0) == 0 || text.rfind("ValueTwo:", 0) == 0)) {
      const auto value = value_of(field(text));
      if (!value.ok()) return value.error();
      (text.rfind("ValueTwo:", 0) == 0 ? rule->args.back().value_two : rule->args.back().value) =
          *value;
    } else if (rule && !rule->args.empty() && text.rfind("Op:", 0) == 0) {
      const auto op = kOps.find(field(text));
      if (op == kOps.end()) return make_error("unknown operator in: " + text);
      rule->args.back().op = op->second;
    }
  }
  flush();
  if (profile.rules.empty()) return make_error("no rules found");
  return profile;
}

}  // namespace tailor::common::testing
