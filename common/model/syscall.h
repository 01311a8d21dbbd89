#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// Who made the calls of an entry, as far as a seccomp profile is concerned
// (enum tailor_phase in bpf/include/tailor/bpf/abi.h).
enum class Phase {
  workload = 0,          // the workload: the profile must allow these
  runtime_setup = 1,     // the runtime before its filter: never meets the profile
  runtime_filtered = 2,  // the container runtime after it installed the filter: must allow too
};
std::string_view phase_name(Phase phase);  // "workload", "runtime-filtered", "runtime-setup"
Result<Phase> parse_phase(std::string_view name);

// The one identity of a syscall from the kernel's sets to the SeccompProfile: the number in
// the syscall table of an architecture, and who made the call. The name is not part of it:
// it is derived from (arch, nr) by libseccomp (common/syscalls/names.h).
struct SyscallId {
  std::string arch;  // libseccomp architecture token: "x86_64", "x86", "x32", "aarch64", "arm"
  uint32_t nr = 0;
  Phase phase = Phase::workload;

  auto operator<=>(const SyscallId&) const = default;
};

// The distinct values one argument of a syscall took, with calls per value.
struct RecordedArg {
  uint32_t index = 0;                   // 0..5
  std::map<uint64_t, uint64_t> values;  // value -> calls
  // False when the recorder ran out of room for this syscall's values: the list is
  // partial, so a profile must not restrict this argument.
  bool complete = true;

  bool operator==(const RecordedArg&) const = default;
};

}  // namespace tailor::common
