#pragma once

#include "agent/cli/command.h"

namespace tailor::agent {

// `tailor agent`: the node daemon (a DaemonSet in a cluster).
void add_agent_command(CLI::App& app, CommandChoice& choice);

}  // namespace tailor::agent
