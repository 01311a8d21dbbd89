#pragma once

#include <CLI/CLI.hpp>

#include "agent/cli/command.h"

namespace tailor::agent {

// Hidden commands that print what packages install: `tailor completion bash|zsh` and
// `tailor man`. Add them after every other command: they describe `app` as it is when they run.
void add_reference_commands(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
