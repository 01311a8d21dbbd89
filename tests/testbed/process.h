#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace tailor::testbed {

struct CommandResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) with stdin from /dev/null, capturing stdout
// and stderr, and kills it when `timeout` passes. An error only when it could
// not be started or timed out; a non-zero exit is a result.
common::Result<CommandResult> run_command(
    const std::vector<std::string>& argv,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Whether `name` is an executable in PATH.
bool have_program(const std::string& name);

}  // namespace tailor::testbed
