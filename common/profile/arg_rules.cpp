#include "common/profile/arg_rules.h"

#include <algorithm>
#include <array>
#include <set>
#include <string>

namespace tailor::common {
namespace {

// The kernel reads an int argument's low 32 bits only, while a caller may leave anything in
// the upper half (musl sign-extends ioctl requests with bit 31 set); comparing the low half
// alone matches what the kernel sees.
constexpr uint64_t kLow32 = 0xffffffff;

enum class RuleKind {
  int_values,         // one rule per recorded value of an int argument
  long_values,        // one rule per recorded value of a long argument
  no_new_namespaces,  // clone: any flags but the namespace ones
  clone3_fallback,    // clone3: ENOSYS, so libc uses clone, whose flags seccomp can read
};

struct Restriction {
  std::string_view name;
  ArgLevel level;  // the lowest level that applies it
  RuleKind kind;
};

// Argument types as the kernel declares them (SYSCALL_DEFINE); the recorder keeps the same
// arguments (default_arg_specs in agent/recorder/recorder.cpp).
constexpr std::array<Restriction, 12> kRestrictions = {{
    {"socket", ArgLevel::standard, RuleKind::int_values},
    {"socketpair", ArgLevel::standard, RuleKind::int_values},
    {"clone", ArgLevel::standard, RuleKind::no_new_namespaces},
    {"clone3", ArgLevel::standard, RuleKind::clone3_fallback},
    {"unshare", ArgLevel::standard, RuleKind::long_values},
    {"setns", ArgLevel::standard, RuleKind::int_values},
    {"personality", ArgLevel::standard, RuleKind::int_values},
    {"prctl", ArgLevel::strict, RuleKind::int_values},
    {"ioctl", ArgLevel::strict, RuleKind::int_values},
    {"bpf", ArgLevel::strict, RuleKind::int_values},
    {"ptrace", ArgLevel::strict, RuleKind::long_values},
    {"keyctl", ArgLevel::strict, RuleKind::int_values},
}};

const Restriction* restriction_of(ArgLevel level, std::string_view name) {
  const auto found = std::find_if(kRestrictions.begin(), kRestrictions.end(),
                                  [&](const Restriction& r) { return r.name == name; });
  if (found == kRestrictions.end() || level < found->level) return nullptr;
  return &*found;
}

bool creates_namespace(const RecordedArg& arg) {
  return std::any_of(arg.values.begin(), arg.values.end(),
                     [](const auto& value) { return (value.first & kNamespaceCloneFlags) != 0; });
}

SyscallRule allow_if(std::string_view name, ArgRule condition) {
  return SyscallRule{.names = {std::string(name)}, .action = Action::allow, .args = {condition}};
}

}  // namespace

bool restricts_arguments(ArgLevel level, std::string_view name) {
  return restriction_of(level, name) != nullptr;
}

std::optional<std::vector<SyscallRule>> arg_rules(ArgLevel level, std::string_view name,
                                                  const RecordedArg& arg) {
  const Restriction* restriction = restriction_of(level, name);
  // No value means the recorder could not read any: nothing to restrict to.
  if (restriction == nullptr || arg.values.empty()) return std::nullopt;
  std::vector<SyscallRule> rules;
  switch (restriction->kind) {
    case RuleKind::int_values: {
      std::set<uint64_t> low_halves;
      for (const auto& [value, calls] : arg.values) low_halves.insert(value & kLow32);
      for (uint64_t value : low_halves) {
        rules.push_back(allow_if(name, {arg.index, kLow32, value, ArgOp::masked_equal}));
      }
      break;
    }
    case RuleKind::long_values:
      for (const auto& [value, calls] : arg.values) {
        rules.push_back(allow_if(name, {arg.index, value, 0, ArgOp::equal}));
      }
      break;
    case RuleKind::no_new_namespaces:
      if (creates_namespace(arg)) return std::nullopt;
      rules.push_back(allow_if(name, {arg.index, kNamespaceCloneFlags, 0, ArgOp::masked_equal}));
      break;
    case RuleKind::clone3_fallback:
      if (creates_namespace(arg)) return std::nullopt;
      rules.push_back(SyscallRule{
          .names = {std::string(name)}, .action = Action::return_errno, .errno_ret = kClone3Errno});
      break;
  }
  return rules;
}

}  // namespace tailor::common
