#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tailor::testing {

struct ProcessResult {
  int exit_status = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// Runs a program to completion and captures what it printed. The child gets
// no terminal (stdin is /dev/null), as in CI.
ProcessResult run_process(const std::vector<std::string>& argv);

// Starts a program with its output going to files; for tests that signal it.
struct RunningProcess {
  pid_t pid = -1;
  std::string out_path;
  std::string err_path;
  // Waits for it and collects what it printed.
  ProcessResult wait();
};
RunningProcess start_process(const std::vector<std::string>& argv);

}  // namespace tailor::testing
