#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace tailor::testing {

struct ProcessResult {
  int exit_status = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) to completion and captures what it printed. The child gets
// no terminal (stdin is /dev/null), as in CI. An error only when it could not be started or
// was killed for outliving `timeout`; a non-zero exit is a result.
common::Result<ProcessResult> run_command(
    const std::vector<std::string>& argv,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// run_command for tests that run the binary under test, with ctest's timeout as the bound: a
// program that cannot be started exits 127, with the reason in `err`.
ProcessResult run_process(const std::vector<std::string>& argv);

// Starts a program with its output going to files; for tests that signal it or read its log
// while it runs. It gets a process group of its own.
struct RunningProcess {
  pid_t pid = -1;
  std::string out_path;
  std::string err_path;
  // Waits for it and collects what it printed.
  ProcessResult wait();
};
RunningProcess start_process(const std::vector<std::string>& argv);

// Whether a child has ended, seen without reaping it (whoever started it still waits for it):
// its exit status as ProcessResult gives it, or nothing while it runs.
std::optional<int> peek_exit(pid_t pid);

// What a child is doing, for one that has not done in time what was expected of it: how it
// ended, or its state and every thread's kernel stack.
std::string describe_process(pid_t pid);

// Everything in the file at `path`; empty when it cannot be read (a log not written yet).
std::string slurp(const std::string& path);

// Whether `name` is an executable in PATH.
bool have_program(const std::string& name);

}  // namespace tailor::testing
