#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor merge R1 R2 ... -o OUT`: one report from several recordings of a workload.
void add_merge_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
