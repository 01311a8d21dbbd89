#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace tailor::agent {

inline constexpr int kSeccompModeFilter = 2;

// A process's seccomp mode ("Seccomp:" in /proc/PID/status: 0 none, 1 strict, 2 filter);
// nullopt when the process is gone or the kernel does not say.
std::optional<int> seccomp_mode(pid_t pid);

// Whether a process of the cgroup (an absolute cgroupfs directory) or of one below it runs
// under a seccomp filter: what decides that ERRNO denials are worth watching for. nullopt when
// the cgroup has processes and this /proc shows none of them: a process in a PID namespace that
// is not the host's (a pod without hostPID) cannot tell.
std::optional<bool> seccomp_filtered(const std::filesystem::path& cgroup_dir);

}  // namespace tailor::agent
