#pragma once

#include <linux/filter.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/profile/seccomp_filter.h"

namespace tailor::common::testing {

// A syscall made under the filter: 0 when it succeeded, its errno otherwise.
using Probe = int (*)();

inline int outcome(long rc) { return rc < 0 ? errno : 0; }

struct FilteredRun {
  int install_errno = 0;
  std::vector<int> outcomes;  // one per probe
};

// Forks a child that installs `program` and runs each probe; the child reports through a pipe,
// so a filter that kills it shows as missing outcomes rather than a dead test binary.
inline FilteredRun run_filtered(const std::vector<sock_filter>& program,
                                const std::vector<Probe>& probes) {
  int fds[2];
  if (pipe(fds) != 0) return {errno, {}};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::vector<int> report(probes.size() + 1);
    report[0] = SeccompFilter::install(program);
    for (size_t i = 0; report[0] == 0 && i < probes.size(); ++i) report[i + 1] = probes[i]();
    const auto bytes = static_cast<ssize_t>(report.size() * sizeof(int));
    _exit(write(fds[1], report.data(), report.size() * sizeof(int)) == bytes ? 0 : 1);
  }
  close(fds[1]);
  std::vector<int> report(probes.size() + 1, -1);
  const ssize_t got = read(fds[0], report.data(), report.size() * sizeof(int));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != static_cast<ssize_t>(report.size() * sizeof(int))) return {-1, {}};
  return {report[0], {report.begin() + 1, report.end()}};
}

}  // namespace tailor::common::testing
