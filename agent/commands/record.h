#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor record`: runs or attaches to a workload and writes its report.
void add_record_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
