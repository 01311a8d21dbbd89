#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace tailor::agent {

using common::Result;

// Finds the program the way execvp would, so "not found" is known before a
// process exists.
Result<std::string> resolve_executable(const std::string& name);

// Starts argv inside the cgroup directory from its very first instruction
// (clone3 with CLONE_INTO_CGROUP): no window in which the child runs outside
// it, and nothing to move afterwards. The child only calls execve, after
// installing `filter` (a compiled seccomp program) when one is given. An empty
// cgroup_dir starts it where the caller is.
Result<pid_t> spawn_in_cgroup(const std::filesystem::path& cgroup_dir,
                              const std::string& executable, const std::vector<std::string>& argv,
                              const std::vector<sock_filter>* filter = nullptr);

// Waits for the child and returns a shell-style status: the exit code, or
// 128 + signal number. Retries on EINTR unless `stop_on_interrupt` says to give up,
// in which case it returns -1.
int wait_for_exit(pid_t pid, const volatile bool* stop_on_interrupt = nullptr);

}  // namespace tailor::agent
