#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/util/strings.h"

extern char** environ;

namespace tailor::testing {
namespace {

std::string temp_path() {
  char path[] = "/tmp/tailor-test-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd >= 0) ::close(fd);
  return path;
}

int exit_status_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

common::Result<ProcessResult> run_command(const std::vector<std::string>& argv,
                                          std::chrono::milliseconds timeout) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    return common::make_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // as start_process: nothing inherited
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return common::make_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  ProcessResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return common::make_error(argv[0] + " did not finish within " +
                              std::to_string(timeout.count()) + " ms; stderr: " + result.err);
  }
  result.exit_status = exit_status_of(status);
  return result;
}

ProcessResult run_process(const std::vector<std::string>& argv) {
  // Longer than any ctest TIMEOUT: ctest's bound is the one that reports.
  auto result = run_command(argv, std::chrono::hours(2));
  if (!result) return {127, "", result.error().message};
  return std::move(*result);
}

RunningProcess start_process(const std::vector<std::string>& argv) {
  RunningProcess running;
  running.out_path = temp_path();
  running.err_path = temp_path();
  std::vector<char*> raw;
  for (const auto& arg : argv) raw.push_back(const_cast<char*>(arg.c_str()));
  raw.push_back(nullptr);
  running.pid = ::fork();
  if (running.pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(running.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(running.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setpgid(0, 0);  // its own group, so signals sent to it reach no one else
    // Nothing else this process has open: a file another thread was writing (the chaos test's
    // spool filler) would stay allocated while the child lives, a socket would stay connected.
    ::close_range(3, ~0U, 0);
    ::execv(raw[0], raw.data());
    // Into its log, with what is safe between fork and exec: a write and no allocation.
    const int failed = errno;
    char number[12];
    int at = sizeof number;
    for (int left = failed; at == sizeof number || left > 0; left /= 10)
      number[--at] = static_cast<char>('0' + left % 10);
    const char* parts[] = {"cannot exec ", raw[0], ": errno "};
    for (const char* part : parts) (void)!::write(2, part, std::strlen(part));
    (void)!::write(2, number + at, sizeof number - at);
    (void)!::write(2, "\n", 1);
    ::_exit(126);
  }
  return running;
}

std::optional<int> peek_exit(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid != pid)
    return std::nullopt;
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

std::string describe_process(pid_t pid) {
  if (const auto ended = peek_exit(pid))
    return *ended > 128 ? "killed by signal " + std::to_string(*ended - 128)
                        : "exited with status " + std::to_string(*ended);
  const std::filesystem::path proc = "/proc/" + std::to_string(pid);
  std::string text = "running; /proc stat: " + slurp(proc / "stat");
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(proc / "task", ec))
    text += "\n  thread " + task.path().filename().string() + " (" +
            std::string(common::trim(slurp(task.path() / "comm"))) + "), kernel stack:\n" +
            slurp(task.path() / "stack");
  return text;
}

ProcessResult RunningProcess::wait() {
  ProcessResult result;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  result.exit_status = exit_status_of(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return result;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool have_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const auto candidate = std::filesystem::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace tailor::testing
