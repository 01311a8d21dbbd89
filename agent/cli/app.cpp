#include "agent/cli/app.h"

#include "agent/cli/command.h"
#include "agent/cli/reference_commands.h"
#include "agent/commands/commands.h"
#include "common/cli/parse.h"
#include "common/cli/version.h"

namespace tailor::agent {

int run_cli(int argc, char** argv) {
  CLI::App app{"tailor: least-privilege seccomp profiles from what workloads really do"};
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
  add_enforce_patch_command(app, choice);
  add_reference_commands(app, choice);
  common::add_version_flags(app, "tailor");
  if (auto status = common::parse_command_line(app, argc, argv, "tailor")) return *status;
  return choice.run ? choice.run() : kExitUsage;
}

}  // namespace tailor::agent
