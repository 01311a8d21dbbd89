#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/model/syscall.h"
#include "common/report/denied.h"
#include "common/report/first_caller.h"
#include "common/util/result.h"

namespace tailor::common {

// One syscall of one architecture (syscall table) and phase seen in a recording.
struct SyscallEntry {
  std::string arch;  // libseccomp architecture token: "x86_64", "x86", "x32", "aarch64", "arm"
  uint32_t nr = 0;
  std::string name;  // libseccomp's name for nr on arch; empty when libseccomp knows none
  Phase phase = Phase::workload;
  uint64_t count = 0;                       // calls counted in the kernel
  uint64_t first_seen_ns = 0;               // since the recording started
  std::optional<FirstCaller> first_caller;  // absent when the first-seen event was dropped
  std::optional<RecordedArg> arg;           // for the syscalls whose argument is recorded

  SyscallId id() const { return {arch, nr, phase}; }
  bool operator==(const SyscallEntry&) const = default;
};

// What was recorded and how; enough for a person to know where a report came from.
struct RecordingInfo {
  std::string target_kind;  // "command", "cgroup", "pid", "container"
  std::string target;       // the command line (shell-quoted), cgroup path, pid or container id
  // For commands: the argv as run. Reports before it was added have only `target`.
  std::vector<std::string> argv;
  std::string cgroup_path;  // cgroup2 path that was tracked, relative to the cgroup2 mount
  std::string hostname;
  std::string kernel;       // uname release
  std::string native_arch;  // libseccomp token of the host's native architecture
  int64_t started_unix_ms = 0;
  uint64_t duration_ms = 0;
  std::optional<int> exit_status;  // for commands: the status tailor record exited with
  std::string tailor_version;

  bool operator==(const RecordingInfo&) const = default;
};

// A recording: which syscalls ran, with the recorder's own health counters so a
// reader can tell a complete report from one that lost events.
struct Report {
  static constexpr int kFormatVersion = 1;
  static constexpr const char* kFormatName = "tailor.report";

  RecordingInfo info;
  std::vector<SyscallEntry> syscalls;              // sorted by (arch, nr, phase)
  std::map<std::string, uint64_t> recorder_stats;  // e.g. "events_dropped", "sets_full"
  std::optional<Denials> denied;                   // absent in reports of older recorders

  bool operator==(const Report&) const = default;
};

// The recorded command line for people: argv shell-quoted, or `target` as an older report
// wrote it.
std::string command_line(const RecordingInfo& info);

// Whether a profile meets the entry's calls: the workload's and the runtime's after its
// filter do, the runtime's set-up calls are made before any filter.
inline bool meets_profile(const SyscallEntry& entry) { return entry.phase != Phase::runtime_setup; }

// Entries are per architecture and phase; a syscall the runtime and the workload both made is
// one syscall. When each distinct (architecture, number) was first seen, earliest first.
std::vector<uint64_t> distinct_first_seen_ns(const Report& report);

// Whether the recording holds no call a profile would meet: a profile of it allows nothing,
// and checking a profile against it checks nothing.
bool records_nothing(const Report& report);

// Encodes as the versioned JSON document described in docs/report-format.md, without a
// final newline.
std::string encode_report(const Report& report);
// Decodes and validates; a newer format version or a malformed document is an
// Error naming what is wrong.
Result<Report> decode_report(const std::string& json_text);

// The recorder_stats that count lost or unattributed data and are nonzero. Every counter
// except "events_sent" and "resolve_cache_misses" is such a fault counter, so one added
// later is warned about rather than hidden.
std::map<std::string, uint64_t> recorder_faults(const Report& report);
// What a report whose fault counter `name` is nonzero may be missing, for warnings.
std::string fault_effect(std::string_view name);

// File helpers: writes go through a temporary file and rename, so a failed or
// interrupted write never leaves a half-written report behind.
Status write_report_file(const std::string& path, const Report& report);
Result<Report> read_report_file(const std::string& path);

}  // namespace tailor::common
