#pragma once

#include <linux/filter.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "common/profile/seccomp_filter.h"
#include "common/util/file.h"

namespace tailor::common::testing {

// A raw syscall made under the filter: its number and arguments.
struct RawCall {
  long nr;
  std::vector<unsigned long> args;
};

struct FilteredRun {
  int install_errno = 0;
  std::vector<int> outcomes;  // one per call: 0 when it succeeded, its errno otherwise
};

// Runs the calls in the uninstrumented tailor_test_workload ("filtered-calls"), which installs
// `program` first: in a sanitizer build, a process of this test would run the sanitizer
// runtime, whose own calls (sigaltstack, mmap) the filter refuses. A filter that kills the
// workload shows as missing outcomes.
inline FilteredRun run_filtered(const std::vector<sock_filter>& program,
                                const std::vector<RawCall>& calls) {
  const std::string file = (std::filesystem::temp_directory_path() /
                            ("tailor-filter-" + std::to_string(::getpid()) + ".bpf"))
                               .string();
  const std::string bytes(reinterpret_cast<const char*>(program.data()),
                          program.size() * sizeof(sock_filter));
  if (!write_file_atomically(file, bytes).ok()) return {-1, {}};
  std::vector<std::string> argv = {TAILOR_TEST_WORKLOAD, "filtered-calls", file};
  for (const auto& call : calls) {
    std::string text = std::to_string(call.nr);
    for (const unsigned long arg : call.args) text += "," + std::to_string(arg);
    argv.push_back(text);
  }
  int fds[2];
  if (pipe(fds) != 0) return {errno, {}};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buffer[256];
  for (ssize_t got; (got = read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, got);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  std::remove(file.c_str());
  std::istringstream lines(out);
  FilteredRun run{-1, {}};
  if (!(lines >> run.install_errno)) return run;
  for (int error; lines >> error;) run.outcomes.push_back(error);
  return run;
}

}  // namespace tailor::common::testing
