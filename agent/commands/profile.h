#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor profile FILE -o profile.json`: the least-privilege seccomp profile of a recording, for
// an OCI runtime or as a SeccompProfile object of the Security Profiles Operator.
void add_profile_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
