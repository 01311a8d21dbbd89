#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor report FILE`: the recording as a table or JSON, with filters.
void add_report_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
