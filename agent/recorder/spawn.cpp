#include "agent/recorder/spawn.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <sstream>

#include "common/profile/seccomp_filter.h"

namespace tailor::agent {
namespace {

using common::make_error;

bool is_executable_file(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0 && !std::filesystem::is_directory(path);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<std::string> resolve_executable(const std::string& name) {
  if (name.empty()) return make_error("no command given: tailor record -- COMMAND [ARGS...]");
  if (name.find('/') != std::string::npos) {
    if (is_executable_file(name)) return name;
    return make_error(name + ": command not found or not executable");
  }
  const char* path_env = std::getenv("PATH");
  std::istringstream dirs(path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return make_error(name + ": command not found in PATH");
}

Result<pid_t> spawn_in_cgroup(const std::filesystem::path& cgroup_dir,
                              const std::string& executable, const std::vector<std::string>& argv,
                              const std::vector<sock_filter>* filter) {
  Fd cgroup;
  if (!cgroup_dir.empty()) {
    cgroup.fd = ::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup.fd < 0)
      return make_error("cannot open cgroup " + cgroup_dir.string() + ": " + common::errno_text());
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return make_error(std::string("pipe: ") + common::errno_text());
  Fd read_end{pipe_fds[0]}, write_end{pipe_fds[1]};

  std::vector<char*> raw_argv;
  for (const auto& arg : argv) raw_argv.push_back(const_cast<char*>(arg.c_str()));
  raw_argv.push_back(nullptr);

  clone_args args{};
  args.exit_signal = SIGCHLD;
  if (cgroup.fd >= 0) {
    args.flags = CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup.fd);
  }
  const long pid = ::syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0)
    return make_error(std::string("cannot start the command in its cgroup: ") +
                      common::errno_text());
  if (pid == 0) {
    int err = filter != nullptr ? common::SeccompFilter::install(*filter) : 0;
    if (err == 0) {
      ::execve(executable.c_str(), raw_argv.data(), environ);
      err = errno;
    }
    (void)!::write(write_end.fd, &err, sizeof(err));
    ::_exit(127);
  }
  ::close(write_end.fd);
  write_end.fd = -1;
  int child_errno = 0;
  ssize_t n;
  do n = ::read(read_end.fd, &child_errno, sizeof(child_errno));
  while (n < 0 && errno == EINTR);
  if (n == sizeof(child_errno)) {
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return make_error(executable + ": cannot " +
                      (filter != nullptr ? "install the profile or " : "") +
                      "execute: " + common::errno_text(child_errno));
  }
  return static_cast<pid_t>(pid);
}

int wait_for_exit(pid_t pid, const volatile bool* stop_on_interrupt) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
    if (stop_on_interrupt != nullptr && *stop_on_interrupt) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace tailor::agent
