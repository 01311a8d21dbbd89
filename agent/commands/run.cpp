#include "agent/commands/run.h"

#include <cstdio>
#include <memory>

#include "agent/commands/target_options.h"
#include "agent/recorder/spawn.h"
#include "common/profile/evaluate.h"
#include "common/profile/oci.h"
#include "common/profile/seccomp_filter.h"
#include "common/util/file.h"

namespace tailor::agent {
namespace {

struct RunOptions {
  std::string profile;
  bool audit = false;
  std::string report;  // where audit mode also writes its recording
  double duration_s = 0;
  TargetOptions target;
};

Result<common::Profile> load_profile(const std::string& path) {
  auto text = common::read_file(path);
  if (!text) return text.error();
  // Names this libseccomp does not know are skipped with a warning, as runc does, so a
  // profile written for a newer kernel (Docker's default) still runs here.
  auto decoded =
      common::decode_profile(*text, {.allow_unknown_names = true, .drop_unknown_names = true});
  if (!decoded) return common::make_error(path + ": " + decoded.error().message);
  for (const auto& warning : decoded->warnings)
    std::fprintf(stderr, "tailor: warning: %s\n", warning.c_str());
  return decoded->profile;
}

// The compiled program a command gets before execve; in audit mode everything the
// profile would deny is allowed and logged instead.
Result<std::vector<sock_filter>> compile(const common::Profile& profile, bool audit) {
  auto filter = common::SeccompFilter::build(
      profile, audit ? std::optional<common::Action>(common::Action::log) : std::nullopt);
  if (!filter) return filter.error();
  return filter->bpf_program();
}

std::string describe(const common::Denied& denied) {
  std::string line = denied.name.empty() ? "#" + std::to_string(denied.nr) : denied.name;
  line += " (" + denied.arch;
  if (denied.phase != common::Phase::workload)
    line += ", " + std::string(common::phase_name(denied.phase));
  line += ")";
  if (denied.arg)
    line += " arg" + std::to_string(denied.arg->first) + "=" + std::to_string(denied.arg->second);
  line += ": " + std::to_string(denied.calls) + (denied.calls == 1 ? " call" : " calls");
  line += ", would get " + std::string(common::action_name(denied.action));
  if (denied.errno_ret) line += " errno " + std::to_string(*denied.errno_ret);
  return line;
}

// Records the target (under the audit filter, for a command) and lists what the
// profile would deny. Returns the number of denied entries.
Result<size_t> audit(const RunOptions& options, const common::Profile& profile,
                     const Cgroup2& cgroups, RecordingRequest& request,
                     std::optional<int>& command_status) {
  std::vector<sock_filter> program;
  if (!request.command.empty()) {
    auto compiled = compile(profile, true);
    if (!compiled) return compiled.error();
    program = std::move(*compiled);
    request.filter = &program;
    // Our own child installs the filter before execve: like a runtime's, its
    // set-up calls never meet the filter, and its execve does.
    request.recorder.runtime_comms.push_back("tailor");
  }
  request.duration_s = options.duration_s;
  auto outcome = record_target(cgroups, request);
  if (!outcome) return outcome.error();
  command_status = outcome->exit_status;
  if (!options.report.empty()) {
    if (auto written = common::write_report_file(options.report, outcome->report); !written)
      return written.error();
  }
  const auto denied = common::denied_entries(profile, outcome->report);
  for (const auto& entry : denied)
    std::fprintf(stderr, "tailor: would deny %s\n", describe(entry).c_str());
  std::fprintf(stderr, "tailor: %zu recorded syscalls checked, %zu would be denied by %s\n",
               outcome->report.syscalls.size(), denied.size(), options.profile.c_str());
  return denied.size();
}

// Runs the audit and hands its outcome to `finish`; setting up prints its own errors.
template <typename Finish>
int audited(const RunOptions& options, const common::Profile& profile, Finish&& finish) {
  auto cgroups = Cgroup2::detect();
  if (!cgroups) return fail(cgroups.error());
  RecordingRequest request;
  if (int status = prepare_request(options.target, *cgroups, request); status != 0) return status;
  std::optional<int> command_status;
  auto denied = audit(options, profile, *cgroups, request, command_status);
  if (!denied) return fail(denied.error());
  return finish(*denied, command_status);
}

int run(const RunOptions& options) {
  auto profile = load_profile(options.profile);
  if (!profile) return fail(profile.error(), kExitUsage);
  if (options.audit)
    return audited(options, *profile,
                   [](size_t, std::optional<int> status) { return status.value_or(0); });
  auto executable = resolve_executable(options.target.command.front());
  if (!executable) return fail(executable.error(), kExitCommandNotFound);
  auto program = compile(*profile, false);
  if (!program) return fail(program.error(), kExitUsage);
  auto pid = spawn_in_cgroup({}, *executable, options.target.command, &*program);
  if (!pid) return fail(pid.error());
  return wait_for_exit(*pid);
}

int verify(const RunOptions& options) {
  auto profile = load_profile(options.profile);
  if (!profile) return fail(profile.error(), kExitUsage);
  return audited(options, *profile, [](size_t denied, std::optional<int> status) {
    if (status && *status != 0)
      std::fprintf(stderr, "tailor: the command exited with status %d\n", *status);
    return denied == 0 ? 0 : kExitFailure;
  });
}

void add_profile_option(CLI::App* cmd, RunOptions& options) {
  cmd->add_option("-p,--profile", options.profile, "OCI/Docker seccomp profile (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
}

}  // namespace

void add_run_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a command under a seccomp profile");
  add_profile_option(cmd, *options);
  cmd->add_flag("--audit", options->audit,
                "Allow and log what the profile would deny, and list it (needs root: it records)");
  cmd->add_option("--report", options->report, "In audit mode, also write the recording here");
  cmd->add_option("command", options->target.command, "Command to run (after --)")->required();
  cmd->positionals_at_end();
  cmd->callback([options, &choice] { choice.run = [options] { return run(*options); }; });
}

void add_verify_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<RunOptions>();
  options->audit = true;
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Run or watch a workload and list what a profile would deny; exit 0 only if nothing");
  add_profile_option(cmd, *options);
  cmd->add_option("-d,--duration", options->duration_s, "Stop watching after this many seconds")
      ->check(common::positive_number());
  cmd->add_option("--report", options->report, "Also write the recording here");
  add_target_options(cmd, options->target);
  cmd->callback([options, &choice] {
    if (options->target.empty())
      throw CLI::ValidationError("verify",
                                 "give a command after --, or one of --cgroup, --pid, --container");
    choice.run = [options] { return verify(*options); };
  });
}

}  // namespace tailor::agent
