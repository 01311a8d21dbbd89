#pragma once

#include "common/report/report.h"

namespace tailor::common::testing {

// A small x86_64 recording of `sh -c 'curl ...'` with one compat call, one syscall libseccomp
// has no name for and one whose first-seen event was dropped.
inline Report sample_report() {
  Report report;
  report.info = RecordingInfo{.target_kind = "command",
                              .target = "sh -c 'curl -s example.com'",
                              .argv = {"sh", "-c", "curl -s example.com"},
                              .cgroup_path = "/tailor.slice/record-42",
                              .hostname = "build01",
                              .kernel = "6.1.0-18-amd64",
                              .native_arch = "x86_64",
                              .started_unix_ms = 1714564800123,
                              .duration_ms = 1234,
                              .exit_status = 0,
                              .tailor_version = "0.1.0"};
  report.syscalls = {
      {"x86", 5, "open", Phase::workload, 1, 900'000'000, FirstCaller{77, 77, "legacy32"}},
      {"x86_64", 0, "read", Phase::workload, 40, 2'000'000, FirstCaller{42, 42, "sh"}},
      {"x86_64", 2, "open", Phase::workload, 2, 2'500'000, FirstCaller{42, 42, "sh"}},
      {"x86_64", 41, "socket", Phase::workload, 3, 12'000'000, FirstCaller{43, 44, "curl"},
       RecordedArg{0, {{1, 1}, {2, 2}}, true}},
      {"x86_64", 59, "execve", Phase::workload, 2, 1'000'000, FirstCaller{42, 42, "sh"}},
      {"x86_64", 165, "mount", Phase::runtime_setup, 1, 30'000'000, std::nullopt},
      {"x86_64", 228, "clock_gettime", Phase::workload, 500, 13'000'000,
       FirstCaller{43, 43, "curl"}},
      {"x86_64", 540, "", Phase::workload, 1, 40'000'000, FirstCaller{43, 43, "curl"}},
  };
  report.recorder_stats = {{"events_sent", 7}, {"events_dropped", 1}, {"sets_full", 0}};
  return report;
}

// The sample with tailor's own execve before and under the filter, as `tailor record -- COMMAND`
// records it: one syscall (the workload's execve is in the sample) in three rows.
inline Report sample_report_with_runtime_execs() {
  Report report = sample_report();
  report.syscalls.push_back(
      {"x86_64", 59, "execve", Phase::runtime_setup, 1, 500'000, FirstCaller{41, 41, "tailor"}});
  report.syscalls.push_back(
      {"x86_64", 59, "execve", Phase::runtime_filtered, 1, 600'000, FirstCaller{41, 41, "tailor"}});
  return report;
}

}  // namespace tailor::common::testing
