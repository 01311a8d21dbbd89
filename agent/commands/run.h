#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor run --profile P [--audit] -- CMD`: a command under a seccomp profile.
void add_run_command(CLI::App& app, CommandChoice& choice);
// `tailor verify --profile P (--container ID | ... | -- CMD)`: would the profile deny anything?
void add_verify_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
