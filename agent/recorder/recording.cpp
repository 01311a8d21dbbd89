#include "agent/recorder/recording.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "agent/cgroup/container_lookup.h"
#include "agent/cgroup/seccomp_mode.h"
#include "agent/commands/output.h"
#include "agent/recorder/session.h"
#include "agent/recorder/spawn.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/categories.h"
#include "common/util/clock.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using common::make_error;

constexpr uint64_t kRecentWindowNs = 10'000'000'000ULL;

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

common::RecordingInfo describe(const RecordingTarget& target,
                               const std::vector<std::string>& argv) {
  common::RecordingInfo info;
  info.target_kind = target.kind;
  info.target = target.description;
  info.argv = argv;
  info.cgroup_path = target.cgroup_path;
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  info.hostname = host;
  utsname uts{};
  if (::uname(&uts) == 0) info.kernel = uts.release;
  info.native_arch = common::native_arch();
  info.started_unix_ms = common::unix_now_ms();
  info.tailor_version = TAILOR_VERSION;
  return info;
}

// Shows progress on a terminal only; a pipe or a file gets nothing but the report.
class StatusLine {
 public:
  explicit StatusLine(Terminal terminal) : terminal_(terminal) {}
  void update(double elapsed_s, size_t distinct, size_t recent) {
    if (!terminal_.interactive()) return;
    std::fprintf(stderr, "%srecording %6.1fs  %zu syscalls  +%zu in the last 10s",
                 terminal_.erase_line().data(), elapsed_s, distinct, recent);
    std::fflush(stderr);
  }
  void clear() { std::fputs(terminal_.erase_line().data(), stderr); }

 private:
  Terminal terminal_;
};

// One line per new syscall; on a terminal it replaces the status line, and
// security-sensitive calls stand out.
void print_trace(const Terminal& terminal, const tailor_event& event, uint64_t start_ns) {
  const double at = event.timestamp_ns > start_ns ? (event.timestamp_ns - start_ns) / 1e9 : 0.0;
  std::string label = syscall_label(event.abi, event.nr);
  if (common::is_security_sensitive(label.substr(0, label.find(' '))))
    label = terminal.paint(std::move(label), common::Emphasis::sensitive);
  if (event.kind == TAILOR_EVENT_DENIED) {
    const auto action = denial_action_of(static_cast<uint32_t>(event.action));
    label = terminal.paint(
        label + " DENIED (" + std::string(action ? common::denial_action_name(*action) : "?") + ")",
        common::Emphasis::warning);
  }
  std::fprintf(stderr, "%s+%9.6fs  pid %-7u %-16.16s %s\n", terminal.erase_line().data(), at,
               event.pid, event.comm, label.c_str());
}

// Whether a command's cgroup still holds processes, with a descriptor that polls
// readable (POLLPRI) when that changes, so leftovers are followed without polling.
class CgroupPopulation {
 public:
  explicit CgroupPopulation(const fs::path& cgroup_dir)
      : dir_(cgroup_dir),
        fd_(::open((cgroup_dir / "cgroup.events").c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~CgroupPopulation() {
    if (fd_ >= 0) ::close(fd_);
  }
  CgroupPopulation(const CgroupPopulation&) = delete;
  CgroupPopulation& operator=(const CgroupPopulation&) = delete;

  int fd() const { return fd_; }
  // Unreadable counts as populated: recording then goes on until the duration ends.
  bool populated() const {
    char text[256];
    const ssize_t n = fd_ >= 0 ? ::pread(fd_, text, sizeof(text) - 1, 0) : -1;
    if (n <= 0) return true;
    return std::string_view(text, static_cast<size_t>(n)).find("populated 0") ==
           std::string_view::npos;
  }
  // Processes in the cgroup and below it.
  size_t processes() const {
    size_t count = 0;
    std::error_code ec;
    const auto count_in = [&count](const fs::path& dir) {
      std::ifstream procs(dir / "cgroup.procs");
      for (pid_t pid; procs >> pid;) ++count;
    };
    count_in(dir_);
    for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::end(it);
         it.increment(ec))
      if (it->is_directory()) count_in(it->path());
    return count;
  }

 private:
  fs::path dir_;
  int fd_;
};

std::string processes_text(size_t count) {
  return std::to_string(count) + (count == 1 ? " process" : " processes");
}

// Until the container's cgroup exists, every cgroup of the host gets a set of
// its own (the root is tracked in split mode), so the container's is there
// from its first syscall; the others are released once it is found. Events
// seen meanwhile are kept for the session. Returns the container's cgroup path.
struct FoundContainer {
  std::string path;
  uint64_t cgroup_id = 0;  // kept: the cgroup may be gone already
};

Result<FoundContainer> wait_for_container(Recorder& recorder, const Cgroup2& cgroups,
                                          const std::string& id,
                                          const std::vector<fs::path>& runtime_roots,
                                          std::vector<tailor_event>& early) {
  auto root_id = cgroups.id_of("/");
  if (!root_id) return root_id.error();
  if (auto tracked = recorder.track(*root_id, TAILOR_TRACK_SPLIT); !tracked) return tracked.error();
  std::fprintf(stderr, "tailor: waiting for container %s; Ctrl-C to stop\n", id.c_str());
  // Each new cgroup announces itself with its first event, which carries its
  // name: a container is found even if it is gone before we read the event.
  FoundContainer container;
  const Recorder::EventHandler keep = [&](const tailor_event& event) {
    early.push_back(event);
    if (!container.path.empty()) return;
    const std::string name(event.cgroup_name,
                           strnlen(event.cgroup_name, sizeof(event.cgroup_name)));
    const auto found = container_id_from_cgroup_name(name);
    if (!found || !found->starts_with(id)) return;
    auto path = cgroups.path_of_id(event.cgroup_id);
    container = {path ? *path : name, event.cgroup_id};
  };
  // A container that is already there and makes no call announces nothing, and events are
  // dropped when the ring buffer is full (every cgroup of the host announcing itself at once):
  // the cgroup tree is walked at the start and then once a second. At every poll it cost a
  // fifth of a core on a host of 400 cgroups. The runtimes' state, which finds a container by
  // name and is a few directories, is read at every poll.
  auto next_walk = std::chrono::steady_clock::now();
  while (container.path.empty()) {
    // A stop first reads every event recorded before it: a short container that ran while
    // this process waited for a CPU (a busy node) is only in them, and its cgroup is gone.
    const bool stopping = g_stop;
    auto polled = stopping ? recorder.consume_events(keep) : recorder.poll_events(50, keep);
    if (!polled) return polled.error();
    if (!container.path.empty()) break;
    const auto now = std::chrono::steady_clock::now();
    const bool walk = stopping || now >= next_walk;
    if (walk) next_walk = now + std::chrono::seconds(1);
    if (auto found = find_container_cgroup(
            cgroups, id, runtime_roots,
            walk ? ContainerSearch::cgroups_and_runtime_state : ContainerSearch::runtime_state))
      if (auto found_id = cgroups.id_of(*found)) container = {*found, *found_id};
    if (stopping && container.path.empty())
      return make_error("stopped before container " + id + " appeared");
  }
  if (auto tracked = recorder.track(container.cgroup_id, TAILOR_TRACK_AGGREGATE); !tracked)
    return tracked.error();
  if (auto untracked = recorder.untrack(*root_id); !untracked) return untracked.error();
  auto sets = recorder.read_sets();
  if (!sets) return sets.error();
  for (const auto& [key, counts] : *sets)
    if (key.cgroup_id != container.cgroup_id) (void)recorder.forget_set(key);
  return container;
}

}  // namespace

Result<RecordingOutcome> record_target(const Cgroup2& cgroups, const RecordingRequest& request) {
  auto recorder = Recorder::open(request.recorder);
  if (!recorder) return recorder.error();

  RecordingTarget target = request.target;
  install_stop_handlers();
  std::vector<tailor_event> early_events;
  std::optional<uint64_t> waited_id;
  if (!request.wait_for_container.empty()) {
    auto found = wait_for_container(**recorder, cgroups, request.wait_for_container,
                                    request.runtime_roots, early_events);
    if (!found) return found.error();
    target.cgroup_path = found->path;
    waited_id = found->cgroup_id;
  }
  std::optional<OwnedCgroup> owned;
  if (target.owned) {
    if (auto created = cgroups.create(target.cgroup_path); !created) return created.error();
    owned.emplace(cgroups, target.cgroup_path);
  }
  auto cgroup_id = waited_id ? Result<uint64_t>(*waited_id) : cgroups.id_of(target.cgroup_path);
  if (!cgroup_id) return cgroup_id.error();
  if (!waited_id) {
    if (auto tracked = (*recorder)->track(*cgroup_id, TAILOR_TRACK_AGGREGATE); !tracked)
      return tracked.error();
  }

  // Says when recording has begun, so whoever starts the workload next (a
  // person, a script, a test) knows nothing of it will be missed.
  if (request.command.empty())
    std::fprintf(stderr, "tailor: recording %s %s (cgroup %s); Ctrl-C to stop\n",
                 target.kind.c_str(), target.description.c_str(), target.cgroup_path.c_str());
  common::RecordingInfo info = describe(target, request.command);
  const uint64_t start_ns = monotonic_ns();
  RecordingSession session(*cgroup_id, start_ns);
  for (const auto& event : early_events) session.on_event(event);

  // ERRNO denials cost a hook at every syscall's exit, so it is on only when there can be
  // some: a command (it may install a filter of its own) or a target already filtered;
  // an unfiltered target is looked at again each round.
  const auto watch_errno_if_filtered = [&]() -> Status {
    if ((*recorder)->watching_errno_denials()) return common::ok_status();
    if (!request.command.empty() ||
        seccomp_filtered(cgroups.absolute(target.cgroup_path)).value_or(false))
      return (*recorder)->watch_errno_denials(true);
    return common::ok_status();
  };
  if (auto watched = watch_errno_if_filtered(); !watched) return watched.error();

  pid_t child = -1;
  std::optional<CgroupPopulation> population;
  if (!request.command.empty()) {
    auto spawned = spawn_in_cgroup(cgroups.absolute(target.cgroup_path), request.executable,
                                   request.command, request.filter);
    if (!spawned) return spawned.error();
    child = *spawned;
    population.emplace(cgroups.absolute(target.cgroup_path));
  }

  const Terminal terminal = Terminal::of(STDERR_FILENO);
  StatusLine status(terminal);
  const Recorder::EventHandler handler = [&](const tailor_event& event) {
    if (session.on_event(event) && request.trace) print_trace(terminal, event, start_ns);
  };
  // With a duration, what the command leaves running (a daemon, a background job) is
  // recorded until the duration ends or the last of it exits; without one, the command's
  // exit ends the recording.
  const bool follow_leftovers = request.duration_s > 0;
  const uint64_t deadline_ns =
      follow_leftovers ? start_ns + static_cast<uint64_t>(request.duration_s * 1e9) : UINT64_MAX;
  // Wakes on new events, on the command's exit, on its cgroup emptying, and on Ctrl-C
  // (EINTR); the timeout only paces the status line.
  int pidfd = child >= 0 ? static_cast<int>(::syscall(SYS_pidfd_open, child, 0)) : -1;
  RecordingOutcome outcome;
  bool stop_sent = false;
  bool child_exited = false;
  while (true) {
    pollfd fds[2] = {{(*recorder)->event_fd(), POLLIN, 0}, {-1, 0, 0}};
    if (pidfd >= 0)
      fds[1] = {pidfd, POLLIN, 0};
    else if (child_exited)
      fds[1] = {population->fd(), POLLPRI, 0};
    ::poll(fds, 2, 500);
    if (auto consumed = (*recorder)->consume_events(handler); !consumed) return consumed.error();
    if (auto watched = watch_errno_if_filtered(); !watched) return watched.error();
    const uint64_t now = monotonic_ns();
    status.update((now - start_ns) / 1e9, session.distinct(),
                  session.discovered_since(now > kRecentWindowNs ? now - kRecentWindowNs : 0));
    if (child >= 0 && !child_exited) {
      int raw = 0;
      if (::waitpid(child, &raw, WNOHANG) == child) {
        outcome.exit_status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
        child_exited = true;
        if (pidfd >= 0) ::close(pidfd);
        pidfd = -1;
        if (!follow_leftovers) break;
      }
    }
    const bool time_up = g_stop || now >= deadline_ns;
    if (child_exited && (time_up || stop_sent || !population->populated())) break;
    if (time_up && !stop_sent) {
      if (child < 0) break;
      // The command stops the way Ctrl-C stops it in a shell; its exit ends the recording.
      ::kill(child, g_stop ? SIGINT : SIGTERM);
      stop_sent = true;
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  if (auto drained = (*recorder)->consume_events(handler); !drained) return drained.error();
  status.clear();
  // Whatever is left dies with the command's cgroup, below: say so, as it ends unrecorded.
  if (const size_t left = population ? population->processes() : 0; left > 0) {
    if (follow_leftovers)
      std::fprintf(stderr, "tailor: stopped %s still running when the recording ended\n",
                   processes_text(left).c_str());
    else
      std::fprintf(stderr,
                   "tailor: the command exited and left %s running: stopped, not recorded "
                   "further (-d SECONDS follows what a command leaves running)\n",
                   processes_text(left).c_str());
  }

  auto sets = (*recorder)->read_sets_of(*cgroup_id);
  if (!sets) return sets.error();
  info.duration_ms = (monotonic_ns() - start_ns) / 1'000'000;
  info.exit_status = outcome.exit_status;
  auto denied = (*recorder)->read_denials_of(*cgroup_id);
  if (!denied) return denied.error();
  outcome.report = session.build(*sets, std::move(info));
  outcome.report.recorder_stats = (*recorder)->stats();
  outcome.report.denied = session.denials(*denied, (*recorder)->watching_errno_denials());
  return outcome;
}

}  // namespace tailor::agent
