#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tailor::agent {

// Shell completion scripts for `tailor`, written from the same definitions as --help:
// commands, then each command's options; files for options' values and positionals; after
// "--", a command and its files.
std::string bash_completion(const CLI::App& app);
std::string zsh_completion(const CLI::App& app);

}  // namespace tailor::agent
