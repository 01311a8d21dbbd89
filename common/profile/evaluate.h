#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/profile/oci.h"
#include "common/report/report.h"

namespace tailor::common {

// What a filter built from a profile (SeccompFilter::build) does to a call, decided without
// building one, so `tailor verify` and audit mode can check a recording against a profile.

// One argument's index and value.
using ArgValue = std::pair<uint32_t, uint64_t>;

// Whether an argument with `value` meets `condition` (whatever its index).
bool condition_holds(const ArgRule& condition, uint64_t value);

// The action for a call of `name` from architecture `arch_token`. Rules are read as the filter
// reads them: conditional Moby rules and rules that do what the default does are ignored; a
// rule without conditions that names the syscall decides alone; otherwise the first rule whose
// conditions all hold does. A condition on an argument other than `arg` (or on any argument,
// when `arg` is nullopt) cannot be shown to hold, so its rule does not match. A call from an
// architecture the profile does not cover is killed, libseccomp's answer to a foreign one.
Action evaluate(const Profile& profile, std::string_view arch_token, std::string_view name,
                const std::optional<ArgValue>& arg);

// The syscalls every process makes that `profile` would not let run on `arch_token`: a
// process under it cannot start (execve), end (exit_group, and exit, libc's fallback: listed
// only when both are denied) or return from a signal handler (rt_sigreturn, sigreturn), and
// dies with a bare status or signal. Names the architecture has no syscall for, and names
// only allowed under argument conditions (which need values to judge), are left out.
std::vector<std::string> denied_essentials(const Profile& profile, std::string_view arch_token);

// A recorded call a profile does not let run (neither allow nor log).
struct Denied {
  std::string arch;
  uint32_t nr = 0;
  std::string name;  // empty when libseccomp knows none: no profile can allow it
  Phase phase = Phase::workload;
  // The argument value the calls had; nullopt for calls of a syscall whose argument was not
  // recorded, or whose values the recorder did not all keep (then `calls` counts them all).
  std::optional<ArgValue> arg;
  uint64_t calls = 0;
  Action action = Action::return_errno;
  std::optional<uint32_t> errno_ret;  // for return_errno and trace: what the call gets
};

// Each workload and runtime-filtered entry of `report`, and each of its recorded argument
// values, that `profile` would not let run, in report order. The runtime's set-up calls are
// made before any filter, so they are never denied.
std::vector<Denied> denied_entries(const Profile& profile, const Report& report);

}  // namespace tailor::common
