#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string_view>

namespace tailor::common {

inline constexpr int kExitUsage = 2;

// Parses the command line. --help and --version print to standard output; a usage error
// prints one line "<program>: <what is wrong>; <what to do>" to standard error. Returns the
// status to exit with (0 after help or version, kExitUsage after an error), or nullopt when the
// program goes on.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                      std::string_view program);

}  // namespace tailor::common
