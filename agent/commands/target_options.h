#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "agent/cgroup/cgroup2.h"
#include "agent/cli/command.h"
#include "agent/recorder/recording.h"

namespace tailor::agent {

// What to watch, as `record` and `verify` take it: a command after --, or an
// existing cgroup, the cgroup of a process, or a container.
struct TargetOptions {
  std::string cgroup;
  int pid = 0;
  std::string container;
  std::vector<std::string> runtime_roots;  // runc's or crun's --root, besides the defaults
  std::vector<std::string> command;

  bool empty() const { return command.empty() && cgroup.empty() && pid == 0 && container.empty(); }
  // Where a container is looked up by name: --runtime-root's, then the defaults.
  std::vector<std::filesystem::path> runtime_search_roots() const;
  // A short name for default file names and profile names.
  std::string stem() const;
};

// Adds --cgroup, --pid, --container and the trailing command, mutually exclusive, and
// --runtime-root for --container.
void add_target_options(CLI::App* cmd, TargetOptions& options);
// For `command`'s callback: one of them is needed, which CLI11's checks cannot say; throws a
// CLI::ValidationError.
void require_target(const TargetOptions& options, const std::string& command);

// Finds the cgroup to record; a command gets a fresh cgroup under /tailor.
Result<RecordingTarget> resolve_target(const TargetOptions& options, const Cgroup2& cgroups);

// Resolves the target and, for a command, its executable (exit 127 when not found).
// Returns the exit status to use on failure, or 0 with `request` filled in.
int prepare_request(const TargetOptions& options, const Cgroup2& cgroups,
                    RecordingRequest& request);

}  // namespace tailor::agent
