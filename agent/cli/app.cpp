#include "agent/cli/app.h"

#include "agent/cli/command.h"
#include "agent/commands/agent.h"
#include "agent/commands/diff.h"
#include "agent/commands/merge.h"
#include "agent/commands/profile.h"
#include "agent/commands/record.h"
#include "agent/commands/report.h"
#include "agent/commands/run.h"

namespace tailor::agent {

int run_cli(int argc, char** argv) {
  CLI::App app{"tailor: least-privilege seccomp profiles from what workloads really do"};
  app.set_version_flag("--version", TAILOR_VERSION);
  app.require_subcommand(1);
  CommandChoice choice;
  add_record_command(app, choice);
  add_agent_command(app, choice);
  add_report_command(app, choice);
  add_profile_command(app, choice);
  add_merge_command(app, choice);
  add_diff_command(app, choice);
  add_run_command(app, choice);
  add_verify_command(app, choice);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : kExitUsage;
  }
  return choice.run ? choice.run() : kExitUsage;
}

}  // namespace tailor::agent
