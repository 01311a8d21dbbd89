#include "common/profile/evaluate.h"

#include <algorithm>
#include <cerrno>

#include "common/profile/moby_conditions.h"
#include "common/profile/seccomp_filter.h"
#include "common/syscalls/names.h"

namespace tailor::common {
namespace {

// What the filter answers a call with.
struct Verdict {
  Action action = Action::kill;
  std::optional<uint32_t> errno_ret;

  bool operator==(const Verdict&) const = default;
};

// As SeccompFilter::build maps actions: an errno or trace action without errnoRet is EPERM.
Verdict verdict_of(Action action, std::optional<uint32_t> errno_ret) {
  if (action != Action::return_errno && action != Action::trace) return {action, std::nullopt};
  return {action, errno_ret.value_or(EPERM)};
}

bool holds(const ArgRule& condition, const std::optional<ArgValue>& arg) {
  return arg && arg->first == condition.index && condition_holds(condition, arg->second);
}

bool covers(const Profile& profile, std::string_view arch_token) {
  const auto arches = covered_arches(profile);
  return arches.ok() && std::find(arches->begin(), arches->end(), arch_token) != arches->end();
}

Verdict decide(const Profile& profile, std::string_view arch_token, std::string_view name,
               const std::optional<ArgValue>& arg) {
  if (!covers(profile, arch_token)) return {Action::kill, std::nullopt};
  const Verdict fallback = verdict_of(profile.default_action, profile.default_errno_ret);
  const SyscallRule* first_match = nullptr;
  for (const auto& rule : profile.syscalls) {
    const Verdict verdict = verdict_of(rule.action, rule.errno_ret);
    if (!applies_to_default_container(rule) || verdict == fallback ||
        std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) {
      continue;
    }
    if (rule.args.empty()) return verdict;
    const bool all_hold =
        std::all_of(rule.args.begin(), rule.args.end(),
                    [&](const ArgRule& condition) { return holds(condition, arg); });
    if (all_hold && first_match == nullptr) first_match = &rule;
  }
  if (first_match == nullptr) return fallback;
  return verdict_of(first_match->action, first_match->errno_ret);
}

bool runs(const Verdict& verdict) {
  return verdict.action == Action::allow || verdict.action == Action::log;
}

}  // namespace

bool condition_holds(const ArgRule& condition, uint64_t value) {
  switch (condition.op) {
    case ArgOp::not_equal:
      return value != condition.value;
    case ArgOp::less_than:
      return value < condition.value;
    case ArgOp::less_or_equal:
      return value <= condition.value;
    case ArgOp::equal:
      return value == condition.value;
    case ArgOp::greater_or_equal:
      return value >= condition.value;
    case ArgOp::greater_than:
      return value > condition.value;
    case ArgOp::masked_equal:
      return (value & condition.value) == condition.value_two;
  }
  return false;
}

Action evaluate(const Profile& profile, std::string_view arch_token, std::string_view name,
                const std::optional<ArgValue>& arg) {
  return decide(profile, arch_token, name, arg).action;
}

std::vector<std::string> denied_essentials(const Profile& profile, std::string_view arch_token) {
  const auto denied_here = [&](std::string_view name) {
    const auto nr = syscall_number(arch_token, name);
    if (!nr.ok() || !nr->has_value()) return false;
    const bool conditional =
        std::any_of(profile.syscalls.begin(), profile.syscalls.end(), [&](const SyscallRule& rule) {
          return !rule.args.empty() &&
                 std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end();
        });
    return !conditional && !runs(decide(profile, arch_token, name, std::nullopt));
  };
  std::vector<std::string> denied;
  if (denied_here("execve")) denied.emplace_back("execve");
  // libc's _exit falls back to exit when exit_group fails, and a process without threads
  // never calls exit otherwise: only both denied keep a process from ending.
  if (denied_here("exit") && denied_here("exit_group"))
    denied.insert(denied.end(), {"exit", "exit_group"});
  for (const std::string_view name : {"rt_sigreturn", "sigreturn"})
    if (denied_here(name)) denied.emplace_back(name);
  return denied;
}

std::vector<Denied> denied_entries(const Profile& profile, const Report& report) {
  std::vector<Denied> denied;
  for (const auto& entry : report.syscalls) {
    if (entry.phase == Phase::runtime_setup) continue;
    const auto check = [&](const std::optional<ArgValue>& arg, uint64_t calls) {
      const Verdict verdict = decide(profile, entry.arch, entry.name, arg);
      if (runs(verdict)) return;
      denied.push_back({.arch = entry.arch,
                        .nr = entry.nr,
                        .name = entry.name,
                        .phase = entry.phase,
                        .arg = arg,
                        .calls = calls,
                        .action = verdict.action,
                        .errno_ret = verdict.errno_ret});
    };
    if (!entry.arg) {
      check(std::nullopt, entry.count);
      continue;
    }
    for (const auto& [value, calls] : entry.arg->values) {
      check(ArgValue{entry.arg->index, value}, calls);
    }
    if (!entry.arg->complete) check(std::nullopt, entry.count);
  }
  return denied;
}

}  // namespace tailor::common
