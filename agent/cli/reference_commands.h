#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "agent/cli/command.h"

namespace tailor::agent {

// Hidden commands that print what packages install: `tailor completion bash|zsh` and
// `tailor man`. Add them after every other command: they describe `app` as it is when they run.
void add_reference_commands(CLI::App& app, CommandChoice& choice);

// What they print, written from the same definitions as --help. Shell completion scripts:
// commands, then each command's options; files for options' values and positionals; after
// "--", a command and its files.
std::string bash_completion(const CLI::App& app);
std::string zsh_completion(const CLI::App& app);
// tailor(1) in troff (man -l renders it): the commands with their options, then exit status and
// environment. docs/cli.md says more.
std::string man_page(const CLI::App& app);

}  // namespace tailor::agent
