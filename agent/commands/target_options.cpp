#include "agent/commands/target_options.h"

#include <unistd.h>

#include <filesystem>

#include "agent/cgroup/container_lookup.h"
#include "agent/recorder/spawn.h"
#include "common/util/strings.h"

namespace tailor::agent {

namespace fs = std::filesystem;
using common::make_error;

std::string TargetOptions::stem() const {
  if (!command.empty()) return fs::path(command.front()).filename().string();
  if (!container.empty()) return "container-" + container.substr(0, 12);
  if (pid > 0) return "pid-" + std::to_string(pid);
  return "cgroup-" + fs::path(cgroup).filename().string();
}

void add_target_options(CLI::App* cmd, TargetOptions& options) {
  auto* by_cgroup = cmd->add_option(
      "--cgroup", options.cgroup,
      "An existing cgroup2 path, relative to the cgroup2 mount or absolute under it");
  auto* by_pid = cmd->add_option("--pid", options.pid, "The cgroup of a running process")
                     ->check(common::positive_number());
  auto* by_container = cmd->add_option(
      "--container", options.container,
      "A running container: its id or a unique prefix, or its runc or crun id or name");
  cmd->add_option("--runtime-root", options.runtime_roots,
                  "With --container: the state directory of a runc or crun run with --root DIR "
                  "(repeatable; /run/runc, /run/crun and containerd's are searched anyway)")
      ->needs(by_container);
  auto* by_command = cmd->add_option("command", options.command, "Command to run (after --)");
  by_cgroup->excludes(by_pid, by_container, by_command);
  by_pid->excludes(by_container, by_command);
  by_container->excludes(by_command);
  cmd->positionals_at_end();
}

void require_target(const TargetOptions& options, const std::string& command) {
  if (options.empty())
    throw CLI::ValidationError(command,
                               "give a command after --, or one of --cgroup, --pid, --container");
}

std::vector<fs::path> TargetOptions::runtime_search_roots() const {
  std::vector<fs::path> roots(runtime_roots.begin(), runtime_roots.end());
  for (auto& root : default_runtime_roots()) roots.push_back(std::move(root));
  return roots;
}

Result<RecordingTarget> resolve_target(const TargetOptions& options, const Cgroup2& cgroups) {
  if (!options.command.empty()) {
    return RecordingTarget{"command", common::shell_quote(options.command),
                           "/tailor/run-" + std::to_string(::getpid()), true};
  }
  if (!options.cgroup.empty()) {
    auto path = cgroups.resolve(options.cgroup);
    if (!path) return path.error();
    return RecordingTarget{"cgroup", options.cgroup, *path, false};
  }
  if (options.pid > 0) {
    auto path = cgroups.path_of_pid(options.pid);
    if (!path) return path.error();
    if (*path == "/")
      return make_error("process " + std::to_string(options.pid) +
                        " is in the root cgroup, which holds the whole host: start the workload "
                        "with `tailor record -- COMMAND` instead");
    return RecordingTarget{"pid", std::to_string(options.pid), *path, false};
  }
  auto path = find_container_cgroup(cgroups, options.container, options.runtime_search_roots());
  if (!path) return path.error();
  return RecordingTarget{"container", options.container, *path, false};
}

int prepare_request(const TargetOptions& options, const Cgroup2& cgroups,
                    RecordingRequest& request) {
  auto target = resolve_target(options, cgroups);
  if (!target) return fail(target.error());
  if (!options.command.empty()) {
    auto resolved = resolve_executable(options.command.front());
    if (!resolved) return fail(resolved.error(), kExitCommandNotFound);
    request.executable = *resolved;
    request.command = options.command;
  }
  request.target = std::move(*target);
  return 0;
}

}  // namespace tailor::agent
