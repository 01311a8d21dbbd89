#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor diff A B` and `tailor diff P --against docker-default`: what each of two reports or
// profiles allows that the other does not. Exits like diff(1): 0 when they allow the same, 1
// when they differ, 2 on an error.
void add_diff_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
