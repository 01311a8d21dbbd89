#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace tailor::common {

// Tailor's release ("0.1.0").
std::string_view tailor_version();

// What --version prints: "tailor 0.1.0 (git 3f2a9c0-dirty)", the git revision as `git describe
// --always --dirty` said when the build was configured ("unknown" without .git).
std::string version_line(std::string_view program);

// Gives `app` and each of its subcommands a --version flag that prints version_line.
void add_version_flags(CLI::App& app, std::string_view program);

}  // namespace tailor::common
