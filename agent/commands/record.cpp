#include "agent/commands/record.h"

#include <signal.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "agent/cgroup/cgroup2.h"
#include "agent/cgroup/container_lookup.h"
#include "agent/cli/command.h"
#include "agent/recorder/recorder.h"
#include "agent/recorder/session.h"
#include "agent/recorder/spawn.h"
#include "common/report/report.h"
#include "common/syscalls/arch.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using common::make_error;

struct RecordOptions {
  std::string output;
  double duration_s = 0;
  bool trace = false;
  std::string cgroup;
  int pid = 0;
  std::string container;
  std::vector<std::string> command;
};

volatile sig_atomic_t g_stop = 0;

void on_stop_signal(int) { g_stop = 1; }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a signal must interrupt the poll
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

// What is recorded: a cgroup the session tracks, and how it got there.
struct Target {
  std::string kind;
  std::string description;
  std::string cgroup_path;
  bool owned = false;  // created by us for a command: removed at the end
};

Result<Target> resolve_target(const RecordOptions& options, const Cgroup2& cgroups) {
  if (!options.command.empty()) {
    Target target{"command", "", "/tailor/record-" + std::to_string(::getpid()), true};
    for (const auto& arg : options.command) target.description += (target.description.empty() ? "" : " ") + arg;
    return target;
  }
  if (!options.cgroup.empty()) {
    if (auto id = cgroups.id_of(options.cgroup); !id) return id.error();
    return Target{"cgroup", options.cgroup, cgroups.relative(cgroups.absolute(options.cgroup)), false};
  }
  if (options.pid > 0) {
    auto path = cgroups.path_of_pid(options.pid);
    if (!path) return path.error();
    if (*path == "/")
      return make_error("process " + std::to_string(options.pid) +
                        " is in the root cgroup, which holds the whole host: start the workload with "
                        "`tailor record -- COMMAND` instead");
    return Target{"pid", std::to_string(options.pid), *path, false};
  }
  auto path = find_container_cgroup(cgroups, options.container);
  if (!path) return path.error();
  return Target{"container", options.container, *path, false};
}

std::string default_output_name(const RecordOptions& options) {
  std::string stem;
  if (!options.command.empty()) stem = fs::path(options.command.front()).filename().string();
  else if (!options.container.empty()) stem = "container-" + options.container.substr(0, 12);
  else if (options.pid > 0) stem = "pid-" + std::to_string(options.pid);
  else stem = "cgroup-" + fs::path(options.cgroup).filename().string();
  return stem + ".report.json";
}

common::RecordingInfo describe(const Target& target) {
  common::RecordingInfo info;
  info.target_kind = target.kind;
  info.target = target.description;
  info.cgroup_path = target.cgroup_path;
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  info.hostname = host;
  utsname uts{};
  if (::uname(&uts) == 0) info.kernel = uts.release;
  info.native_arch = common::native_arch();
  info.started_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  info.tailor_version = TAILOR_VERSION;
  return info;
}

// Shows progress on a terminal only; a pipe or a file gets nothing but the report.
class StatusLine {
 public:
  StatusLine() : enabled_(::isatty(STDERR_FILENO) == 1) {}
  void update(double elapsed_s, size_t distinct, size_t recent) {
    if (!enabled_) return;
    std::fprintf(stderr, "\r\033[Krecording %6.1fs  %zu syscalls  +%zu in the last 10s", elapsed_s,
                 distinct, recent);
    std::fflush(stderr);
  }
  void clear() {
    if (enabled_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
};

void print_trace(const tailor_event& event, uint64_t start_ns) {
  const double at = event.timestamp_ns > start_ns ? (event.timestamp_ns - start_ns) / 1e9 : 0.0;
  std::fprintf(stderr, "\r\033[K+%9.6fs  pid %-7u %-16.16s %s\n", at, event.pid, event.comm,
               syscall_label(event.abi, event.nr).c_str());
}

int record(const RecordOptions& options) {
  auto cgroups = Cgroup2::detect();
  if (!cgroups) return fail(cgroups.error());
  auto target = resolve_target(options, *cgroups);
  if (!target) return fail(target.error());
  std::string executable;
  if (!options.command.empty()) {
    auto resolved = resolve_executable(options.command.front());
    if (!resolved) return fail(resolved.error(), kExitCommandNotFound);
    executable = *resolved;
  }
  const std::string output = options.output.empty() ? default_output_name(options) : options.output;

  auto recorder = Recorder::open(RecorderOptions{});
  if (!recorder) return fail(recorder.error());

  std::optional<OwnedCgroup> owned;
  if (target->owned) {
    if (auto created = cgroups->create(target->cgroup_path); !created) return fail(created.error());
    owned.emplace(*cgroups, target->cgroup_path);
  }

  auto cgroup_id = cgroups->id_of(target->cgroup_path);
  if (!cgroup_id) return fail(cgroup_id.error());
  if (auto tracked = (*recorder)->track(*cgroup_id, TAILOR_TRACK_AGGREGATE); !tracked)
    return fail(tracked.error());

  common::RecordingInfo info = describe(*target);
  const uint64_t start_ns = monotonic_ns();
  RecordingSession session(*cgroup_id, start_ns);
  install_stop_handlers();

  pid_t child = -1;
  if (!options.command.empty()) {
    auto spawned = spawn_in_cgroup(cgroups->absolute(target->cgroup_path), executable, options.command);
    if (!spawned) return fail(spawned.error(), kExitCommandNotFound);
    child = *spawned;
  }

  StatusLine status;
  const Recorder::EventHandler handler = [&](const tailor_event& event) {
    if (session.on_event(event) && options.trace) print_trace(event, start_ns);
  };
  const auto deadline_ns = options.duration_s > 0
                               ? start_ns + static_cast<uint64_t>(options.duration_s * 1e9)
                               : UINT64_MAX;
  // Wakes on new events, on the command's exit, and on Ctrl-C (EINTR); the
  // timeout only paces the status line.
  const int pidfd = child >= 0 ? static_cast<int>(::syscall(SYS_pidfd_open, child, 0)) : -1;
  int exit_status = 0;
  bool stop_sent = false;
  while (true) {
    pollfd fds[2] = {{(*recorder)->event_fd(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    ::poll(fds, pidfd >= 0 ? 2 : 1, 500);
    if (auto consumed = (*recorder)->consume_events(handler); !consumed) return fail(consumed.error());
    const uint64_t now = monotonic_ns();
    status.update((now - start_ns) / 1e9, session.distinct(),
                  session.discovered_since(now > 10'000'000'000ULL ? now - 10'000'000'000ULL : 0));
    if (child >= 0) {
      int raw = 0;
      if (::waitpid(child, &raw, WNOHANG) == child) {
        exit_status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
        break;
      }
    }
    if ((g_stop || now >= deadline_ns) && !stop_sent) {
      if (child < 0) break;
      // The command stops the way Ctrl-C stops it in a shell; its exit ends the recording.
      ::kill(child, g_stop ? SIGINT : SIGTERM);
      stop_sent = true;
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  if (auto drained = (*recorder)->consume_events(handler); !drained) return fail(drained.error());
  status.clear();

  auto sets = (*recorder)->read_sets_of(*cgroup_id);
  if (!sets) return fail(sets.error());
  info.duration_ms = (monotonic_ns() - start_ns) / 1'000'000;
  if (child >= 0) info.exit_status = exit_status;
  common::Report report = session.build(*sets, std::move(info), (*recorder)->stats());
  if (auto written = common::write_report_file(output, report); !written) return fail(written.error());

  uint64_t calls = 0;
  for (const auto& entry : report.syscalls) calls += entry.count;
  std::fprintf(stderr, "tailor: %zu distinct syscalls, %llu calls recorded -> %s\n",
               report.syscalls.size(), static_cast<unsigned long long>(calls), output.c_str());
  if (const auto dropped = report.recorder_stats["events_dropped"]; dropped > 0)
    std::fprintf(stderr, "tailor: warning: %llu first-seen events dropped (their syscalls are in the report, without first caller)\n",
                 static_cast<unsigned long long>(dropped));
  return child >= 0 ? exit_status : 0;
}

}  // namespace

void add_record_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* cmd = app.add_subcommand("record", "Record the syscalls of a command, cgroup, process or container");
  cmd->add_option("-o,--output", options->output, "Report file (default: <name>.report.json)");
  cmd->add_option("-d,--duration", options->duration_s, "Stop after this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--trace", options->trace, "Print each syscall the first time it is seen");
  auto* by_cgroup = cmd->add_option("--cgroup", options->cgroup, "Record an existing cgroup2 path (relative to the cgroup2 mount)");
  auto* by_pid = cmd->add_option("--pid", options->pid, "Record the cgroup of a running process")
                     ->check(CLI::PositiveNumber);
  auto* by_container = cmd->add_option("--container", options->container, "Record a running container by id or unique prefix");
  auto* by_command = cmd->add_option("command", options->command, "Command to run and record (after --)");
  by_cgroup->excludes(by_pid, by_container, by_command);
  by_pid->excludes(by_container, by_command);
  by_container->excludes(by_command);
  cmd->positionals_at_end();
  cmd->callback([options, &choice] {
    if (options->command.empty() && options->cgroup.empty() && options->pid == 0 &&
        options->container.empty())
      throw CLI::ValidationError("record", "give a command after --, or one of --cgroup, --pid, --container");
    choice.run = [options] { return record(*options); };
  });
}

}  // namespace tailor::agent
