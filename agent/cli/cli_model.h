#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tailor::agent {

// One option or positional of a command, as --help shows it; completion scripts and the man
// page are written from these, so they say what the parser accepts.
struct OptionModel {
  std::vector<std::string> names;  // "-o", "--output"; empty for a positional
  std::string value_name;          // "OUTPUT", or the positional's name in capitals; "" for a flag
  std::string description;
  bool repeatable = false;  // its description says so; zsh needs to know
};

struct CommandModel {
  std::string name;  // "" for the program itself
  std::string description;
  std::vector<OptionModel> options;
  std::vector<OptionModel> positionals;
};

// The options and positionals of `app` that --help shows.
CommandModel describe_command(const CLI::App& app);

// The commands --help lists, in the order they were added; hidden ones are left out.
std::vector<CommandModel> describe_subcommands(const CLI::App& app);

}  // namespace tailor::agent
