#pragma once

#include <linux/filter.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/recorder.h"
#include "common/report/report.h"

namespace tailor::agent {

// What one recording watches: a cgroup, and how it came to be recorded.
struct RecordingTarget {
  std::string kind;         // "command", "cgroup", "pid", "container"
  std::string description;  // the command line, cgroup path, pid or container id
  std::string cgroup_path;  // relative to the cgroup2 mount
  bool owned = false;       // made for a command: created before, removed after
};

struct RecordingRequest {
  RecordingTarget target;
  // For "command" targets: what to run (argv) and the resolved executable.
  std::vector<std::string> command;
  std::string executable;
  // Installed in the command's process right before execve (tailor run/verify).
  const std::vector<sock_filter>* filter = nullptr;
  // A container that does not exist yet: wait for its cgroup and record it
  // from its first syscall (target.cgroup_path is filled in when it appears).
  std::string wait_for_container;
  std::vector<std::filesystem::path> runtime_roots;  // where to look for it by name
  // 0: until the command exits (what it leaves running is stopped), or Ctrl-C. Else this
  // long, following what the command leaves running, or until its cgroup empties.
  double duration_s = 0;
  bool trace = false;  // print first-seen syscalls to stderr
  RecorderOptions recorder;
};

struct RecordingOutcome {
  common::Report report;
  std::optional<int> exit_status;  // the command's, shell style
};

// Records the target until the command exits (or, with a duration, its cgroup
// empties), the duration passes or SIGINT / SIGTERM arrives (which is passed on to
// the command), then builds the report. Processes a command leaves running are
// stopped, and stderr says how many. Shows a status line when stderr is a terminal.
Result<RecordingOutcome> record_target(const Cgroup2& cgroups, const RecordingRequest& request);

}  // namespace tailor::agent
