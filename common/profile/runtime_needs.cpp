#include "common/profile/runtime_needs.h"

#include <set>

namespace tailor::common {

std::string_view runtime_name(Runtime runtime) {
  return runtime == Runtime::runc ? "runc" : "crun";
}

std::vector<std::string> runtime_post_filter_syscalls(Runtime runtime, bool no_new_privileges) {
  // Measured with `tailor record` around `runc run` / `crun run` of a
  // container under an allow-and-log filter: the runtime-filtered phase.
  if (runtime == Runtime::crun) {
    if (no_new_privileges) return {"close", "execve"};
    return {"capset",         "close",     "execve",    "prctl", "rt_sigaction",
            "rt_sigprocmask", "setresgid", "setresuid", "write"};
  }
  std::vector<std::string> needs = {"close",      "epoll_ctl", "execve", "fstatfs",
                                    "getdents64", "getpid",    "openat", "write"};
  if (!no_new_privileges) {
    needs.insert(needs.end(),
                 {"capget", "capset", "chdir", "faccessat2", "fcntl", "fstat", "getcwd", "getppid",
                  "newfstatat", "prctl", "read", "setgid", "setgroups", "setuid"});
  }
  // runc is a Go program: its scheduler and garbage collector may run between
  // seccomp(2) and execve whenever they like.
  needs.insert(needs.end(), {"futex", "nanosleep", "sched_yield", "rt_sigreturn", "tgkill",
                             "gettid", "mmap", "munmap", "madvise", "rt_sigprocmask",
                             "rt_sigaction", "sigaltstack", "epoll_pwait"});
  return needs;
}

std::vector<Runtime> all_runtimes() { return {Runtime::runc, Runtime::crun}; }

std::vector<Runtime> detect_runtimes(const Report& report) {
  std::set<Runtime> seen;
  for (const auto& entry : report.syscalls) {
    if (entry.phase == Phase::workload || !entry.first_caller) continue;
    const std::string& comm = entry.first_caller->comm;
    if (comm.starts_with("runc")) seen.insert(Runtime::runc);
    if (comm.starts_with("crun")) seen.insert(Runtime::crun);
  }
  return {seen.begin(), seen.end()};
}

}  // namespace tailor::common
