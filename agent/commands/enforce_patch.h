#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor enforce-patch`: the kubectl patch that makes a stable workload run under its
// Tailor SeccompProfile.
void add_enforce_patch_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
