#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace tailor::common {

// A seccomp profile as the OCI runtime spec (linux.seccomp) and Docker's profile files lay
// it out, with Moby's archMap and includes/excludes extensions so Docker's own default
// profile reads and writes back unchanged.

// What a rule does to a matching call (SCMP_ACT_*).
enum class Action {
  kill,
  kill_process,
  kill_thread,
  trap,
  return_errno,
  trace,
  allow,
  log,
  notify
};
std::string_view action_name(Action action);
Result<Action> parse_action(std::string_view name);

// How an argument is compared (SCMP_CMP_*).
enum class ArgOp {
  not_equal,
  less_than,
  less_or_equal,
  equal,
  greater_or_equal,
  greater_than,
  masked_equal
};
std::string_view arg_op_name(ArgOp op);
Result<ArgOp> parse_arg_op(std::string_view name);

// A condition on one syscall argument. For masked_equal, `value` is the mask and `value_two`
// what the masked argument must equal.
struct ArgRule {
  uint32_t index = 0;  // 0 to 5
  uint64_t value = 0;
  uint64_t value_two = 0;
  ArgOp op = ArgOp::equal;

  bool operator==(const ArgRule&) const = default;
};

// Moby's extension: Docker keeps a rule only when (includes) or unless (excludes) every
// condition given holds for the container it creates. Other runtimes do not know these.
struct RuleCondition {
  std::vector<std::string> caps;    // "CAP_SYS_ADMIN"
  std::vector<std::string> arches;  // Go's names: "amd64", "arm64", "s390x"
  std::string min_kernel;           // "4.8"

  bool operator==(const RuleCondition&) const = default;
};

struct SyscallRule {
  std::vector<std::string> names;
  Action action = Action::allow;
  std::optional<uint32_t> errno_ret;
  std::vector<ArgRule> args;  // all must hold
  std::string comment;
  std::optional<RuleCondition> includes;
  std::optional<RuleCondition> excludes;

  // Whether the rule applies depends on the container, which only Docker decides.
  bool is_conditional() const { return includes.has_value() || excludes.has_value(); }

  bool operator==(const SyscallRule&) const = default;
};

// Moby's extension: on a host whose native architecture is `architecture`, Docker applies
// the profile to it and to `sub_architectures`.
struct ArchMapEntry {
  std::string architecture;  // OCI name
  std::vector<std::string> sub_architectures;

  bool operator==(const ArchMapEntry&) const = default;
};

struct Profile {
  Action default_action = Action::return_errno;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // OCI names: "SCMP_ARCH_X86_64"
  std::vector<ArchMapEntry> arch_map;
  std::vector<SyscallRule> syscalls;

  bool operator==(const Profile&) const = default;
};

// A profile and what a person should be told about it.
struct ProfileWithWarnings {
  Profile profile;
  std::vector<std::string> warnings;
};

// Without a final newline.
std::string encode_profile(const Profile& profile);

struct ProfileDecodeOptions {
  // Reads syscall and architecture names this libseccomp does not know as warnings instead
  // of errors. Profiles written for a newer libseccomp (Docker's default names syscalls
  // added after 2.5.4) are unreadable otherwise; runc skips such names the same way.
  bool allow_unknown_names = false;
  // With allow_unknown_names: leave such syscall names out of the profile, for a caller that
  // compiles it into a filter (libseccomp cannot); a caller comparing profiles keeps them.
  bool drop_unknown_names = false;
};

// Validates actions, comparison operators, argument indexes, architectures, and that each
// syscall name exists on at least one architecture the profile covers: `architectures`,
// every archMap entry, or the native one when the profile names none.
Result<ProfileWithWarnings> decode_profile(const std::string& json_text,
                                           const ProfileDecodeOptions& options = {});

}  // namespace tailor::common
