#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/report/first_caller.h"
#include "common/util/json_reader.h"
#include "common/util/result.h"

namespace tailor::common {

// What a seccomp filter did to a call it did not allow (enum tailor_denial_action in
// bpf/include/tailor/bpf/abi.h).
enum class DenialAction {
  kill_process,  // the process died (KILL_PROCESS, or KILL_THREAD of its last thread)
  kill_thread,   // one thread died, the process lived on
  trap,          // the caller got a SIGSYS
  errno_ret,     // the call was skipped and returned an error (ERRNO); the process lived on
};
std::string_view denial_action_name(DenialAction action);  // "kill_process", ..., "errno"
Result<DenialAction> parse_denial_action(std::string_view name);

// One syscall of one architecture that a filter denied with one action.
struct DeniedCall {
  std::string arch;  // libseccomp architecture token, as in SyscallEntry
  uint32_t nr = 0;
  std::string name;  // empty when libseccomp knows no name for nr on arch
  DenialAction action = DenialAction::kill_process;
  uint64_t count = 0;                       // denials counted in the kernel
  uint64_t first_seen_ns = 0;               // since the recording started
  std::optional<FirstCaller> first_caller;  // absent when the first-denied event was lost

  bool operator==(const DeniedCall&) const = default;
};

// The calls seccomp filters denied during a recording, apart from the calls they let
// through (which are the report's syscalls).
struct Denials {
  // The actions the recorder could see: a denial by any other action is not in `calls`
  // (docs/decisions/0007-denials-from-signal-and-exit-tracepoints.md; ERRNO: 0009).
  std::vector<DenialAction> watched;
  std::vector<DeniedCall> calls;  // sorted by (arch, nr, action)

  bool operator==(const Denials&) const = default;
};

// What this recorder sees: the actions that end in a signal or an exit, and ERRNO while its
// hook is attached.
std::vector<DenialAction> watched_denial_actions(bool with_errno);

void sort_denied(std::vector<DeniedCall>& calls);

nlohmann::ordered_json encode_denials(const Denials& denials);
// Errors (a wrong type, an unknown action, a name that is not nr's) go to `reader`.
Denials decode_denials(JsonObjectReader& reader);

// The union of several recordings' denials: counts summed (saturating), the earliest
// first sighting kept with its caller, and only the actions every input watched.
Denials merge_denials(const std::vector<const Denials*>& inputs);

}  // namespace tailor::common
