#pragma once

#include <tailor/bpf/abi.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tailor::common {

// One counter of the recorder (enum tailor_stat in bpf/include/tailor/bpf/abi.h).
struct RecorderStat {
  tailor_stat index;
  std::string_view name;  // in reports' recorder_stats, metric names and labels
  // A fault counter: what a report may be missing when it is nonzero. Empty for counters of work
  // done, which never call for a warning.
  std::string_view lost;
  // A counter of work done: the help of its own metric (faults share one metric, by reason).
  std::string_view help;

  bool is_fault() const { return !lost.empty(); }
};

// Every counter, in index order: the one place their names and meanings are written.
inline constexpr std::array<RecorderStat, TAILOR_STAT_COUNT> kRecorderStats = {{
    {TAILOR_STAT_EVENTS_SENT, "events_sent", "",
     "First-seen events the recorder put in its ring buffer"},
    {TAILOR_STAT_EVENTS_DROPPED, "events_dropped",
     "first callers of some syscalls (the syscalls are all there, but a container runtime may "
     "go unrecognised)",
     ""},
    {TAILOR_STAT_SETS_FULL, "sets_full", "every syscall of a cgroup the recorder had no room for",
     ""},
    {TAILOR_STAT_NR_OUT_OF_RANGE, "syscall_nr_out_of_range",
     "syscalls numbered past the recorder's limit", ""},
    {TAILOR_STAT_DEPTH_EXCEEDED, "cgroup_depth_exceeded",
     "the syscalls of processes in deeply nested cgroups", ""},
    {TAILOR_STAT_CACHE_MISSES, "resolve_cache_misses", "",
     "Cgroup ancestor walks the recorder's cache did not spare"},
    {TAILOR_STAT_ARGS_OVERFLOW, "arg_values_overflow",
     "argument values (profiles leave those arguments unrestricted)", ""},
    {TAILOR_STAT_ARGS_UNREADABLE, "arg_values_unreadable",
     "clone3 flags (profiles leave them unrestricted)", ""},
    {TAILOR_STAT_DENIALS_LOST, "denials_lost",
     "seccomp denials of some calls (the denial map was full)", ""},
}};

consteval bool stats_in_index_order() {
  for (size_t i = 0; i < kRecorderStats.size(); ++i)
    if (static_cast<size_t>(kRecorderStats[i].index) != i) return false;
  return true;
}
static_assert(stats_in_index_order(), "kRecorderStats must list enum tailor_stat in index order");

// The counter of that name; nullopt for one this tailor does not know (a newer report's).
inline std::optional<RecorderStat> recorder_stat(std::string_view name) {
  for (const auto& stat : kRecorderStats)
    if (stat.name == name) return stat;
  return std::nullopt;
}

}  // namespace tailor::common
