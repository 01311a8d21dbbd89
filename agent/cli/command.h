#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "common/cli/parse.h"
#include "common/cli/validators.h"
#include "common/util/result.h"

namespace tailor::agent {

inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = common::kExitUsage;
inline constexpr int kExitCommandNotFound = 127;

// The subcommand chosen on the command line. CLI11 callbacks only pick it;
// it runs after parsing, so its exit status is a plain return value.
struct CommandChoice {
  std::function<int()> run;
};

// Prints one line "tailor: <message>" and returns the exit status to use.
int fail(const common::Error& error, int exit_status = kExitFailure);

}  // namespace tailor::agent
