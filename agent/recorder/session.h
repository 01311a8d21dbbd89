#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/recorder/recorder.h"
#include "common/report/report.h"

namespace tailor::agent {

// The architecture token of a recorder ABI class on this host ("x86_64", "x86", ...).
std::string abi_arch(uint32_t abi);
// "openat", "getpid (x86)", or "#463" when libseccomp has no name for it.
std::string syscall_label(uint32_t abi, uint32_t nr);

// The model's identity of syscall `nr` of a kernel set.
common::SyscallId syscall_id(const SetKey& key, uint32_t nr);
// The report's action for an enum tailor_denial_action; nullopt for one this tailor does not know.
std::optional<common::DenialAction> denial_action_of(uint32_t action);

// Monotonic nanoseconds on the clock bpf_ktime_get_ns uses.
uint64_t monotonic_ns();

// One recording of one tracked cgroup: collects the first-seen events that
// belong to it and turns the kernel's sets into a report.
class RecordingSession {
 public:
  RecordingSession(uint64_t set_cgroup_id, uint64_t start_ns)
      : set_cgroup_id_(set_cgroup_id), start_ns_(start_ns) {}

  // Returns true when the event is this session's and new to it.
  bool on_event(const tailor_event& event);

  size_t distinct() const { return first_seen_.size(); }
  // Syscalls first seen at or after `since_ns` (monotonic).
  size_t discovered_since(uint64_t since_ns) const;

  // The session's syscalls; recorder_stats are left empty: they are node-wide, not the
  // cgroup's, and the caller adds them once where a report needs them.
  common::Report build(const std::map<SetKey, SyscallCounts>& sets,
                       common::RecordingInfo info) const;
  // The report's denied section from the kernel's denial counts (of any set: only this
  // session's are kept), with first callers from the session's denial events.
  // `errno_watched`: the ERRNO hook was attached (before the target could be filtered).
  common::Denials denials(const std::vector<Denial>& counted, bool errno_watched) const;

 private:
  struct FirstSeen {
    uint64_t timestamp_ns = 0;
    common::FirstCaller caller;
  };
  uint64_t set_cgroup_id_;
  uint64_t start_ns_;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, FirstSeen> first_seen_;    // (abi, phase, nr)
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, FirstSeen> first_denied_;  // (abi, nr, action)
};

}  // namespace tailor::agent
