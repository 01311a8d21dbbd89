#include <linux/capability.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "agent/commands/commands.h"
#include "agent/commands/output.h"
#include "agent/commands/profile_input.h"
#include "agent/commands/target_options.h"
#include "agent/recorder/spawn.h"
#include "common/profile/evaluate.h"
#include "common/profile/oci.h"
#include "common/profile/seccomp_filter.h"
#include "common/syscalls/arch.h"
#include "common/util/capabilities.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

struct RunOptions {
  std::string profile;
  bool audit = false;
  std::string report;  // where audit mode also writes its recording
  double duration_s = 0;
  bool allow_empty = false;  // verify: pass when nothing was recorded
  TargetOptions target;
};

// Tells before running what would make the command die without a word: a denied execve
// fails the start, a denied exit_group crashes it on its way out.
void warn_about_essentials(const common::Profile& profile) {
  std::vector<std::string> arches = {common::native_arch()};
  if (auto covered = common::covered_arches(profile)) {
    for (const auto& arch : *covered)
      if (arch != arches.front()) arches.push_back(arch);
  }
  for (const auto& arch : arches) {
    const auto denied = common::denied_essentials(profile, arch);
    if (denied.empty()) continue;
    std::fprintf(stderr,
                 "tailor: warning: the profile denies %s on %s, which every process needs: "
                 "a process under it fails to start, or dies by a signal without a word\n",
                 common::join(denied).c_str(), arch.c_str());
  }
}

Result<common::Profile> load_profile(const std::string& path) {
  // Names this libseccomp does not know are skipped with a warning, as runc does, so a
  // profile written for a newer kernel (Docker's default) still runs here.
  auto loaded = load_profile_input(path, {.allow_unknown_names = true, .drop_unknown_names = true});
  if (!loaded) return loaded.error();
  for (const auto& warning : loaded->decoded.warnings)
    std::fprintf(stderr, "tailor: warning: %s\n", warning.c_str());
  warn_about_essentials(loaded->decoded.profile);
  return loaded->decoded.profile;
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

// The child that installs the audit filter is tailor until it execs the command: its set-up
// calls (prctl, seccomp) are not the workload's.
void drop_own_setup(common::Report& report) {
  std::erase_if(report.syscalls, [](const common::SyscallEntry& entry) {
    return entry.phase == common::Phase::runtime_setup && entry.first_caller &&
           entry.first_caller->comm == "tailor";
  });
}

// What seccomp filters denied while the command ran, as the kernel counted it: the profile's
// own denials in enforce mode, any other filter's in audit mode.
void print_denials(const common::Report& report) {
  if (!report.denied || report.denied->calls.empty()) return;
  for (const auto& call : report.denied->calls) {
    const std::string name = call.name.empty() ? "#" + std::to_string(call.nr) : call.name;
    std::fprintf(stderr, "tailor: denied %s (%s): %s, %llu %s\n", name.c_str(), call.arch.c_str(),
                 std::string(common::denial_action_name(call.action)).c_str(),
                 static_cast<unsigned long long>(call.count), call.count == 1 ? "call" : "calls");
  }
  std::vector<std::string> watched;
  for (auto action : report.denied->watched)
    watched.emplace_back(common::denial_action_name(action));
  std::fprintf(stderr,
               "tailor: %zu syscalls denied by a seccomp filter (watched: %s; a denial by log "
               "is not seen)\n",
               report.denied->calls.size(), common::join(watched).c_str());
}

// Records the target (under the audit filter, for a command) and lists what the
// profile would deny. Returns the number of denied entries.
Result<size_t> audit(const RunOptions& options, const common::Profile& profile,
                     const Cgroup2& cgroups, RecordingRequest& request,
                     std::optional<int>& command_status) {
  if (!options.report.empty()) {
    if (auto writable = check_writable(options.report); !writable) return writable.error();
  }
  std::vector<sock_filter> program;
  if (!request.command.empty()) {
    auto compiled = compile(profile, true);
    if (!compiled) return compiled.error();
    program = std::move(*compiled);
    request.filter = &program;
  }
  request.duration_s = options.duration_s;
  auto outcome = record_target(cgroups, request);
  if (!outcome) return outcome.error();
  command_status = outcome->exit_status;
  if (!request.command.empty()) drop_own_setup(outcome->report);
  if (!options.report.empty()) {
    if (auto saved = save_report(options.report, outcome->report); !saved) return saved.error();
  }
  const auto& syscalls = outcome->report.syscalls;
  if (common::records_nothing(outcome->report) && !options.allow_empty) {
    return common::make_error("nothing was recorded in " + outcome->report.info.cgroup_path +
                              ", so nothing was checked against " + options.profile +
                              ": was the workload running? (--allow-empty accepts that)");
  }
  print_denials(outcome->report);
  const auto denied = common::denied_entries(profile, outcome->report);
  for (const auto& entry : denied)
    std::fprintf(stderr, "tailor: would deny %s\n", describe(entry).c_str());
  std::fprintf(
      stderr, "tailor: %zu recorded syscalls checked, %zu would be denied by %s\n",
      static_cast<size_t>(std::count_if(syscalls.begin(), syscalls.end(), common::meets_profile)),
      denied.size(), options.profile.c_str());
  if (common::records_nothing(outcome->report))
    std::fprintf(stderr, "tailor: WARNING: nothing was recorded, so nothing was checked\n");
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

// Enforces the profile on the command while recording it, so that what the profile denies
// is listed at exit.
int run_watched(const RunOptions& options, const std::vector<sock_filter>& program) {
  auto cgroups = Cgroup2::detect();
  if (!cgroups) return fail(cgroups.error());
  RecordingRequest request;
  if (int status = prepare_request(options.target, *cgroups, request); status != 0) return status;
  request.filter = &program;
  auto outcome = record_target(*cgroups, request);
  if (!outcome) return fail(outcome.error());
  print_denials(outcome->report);
  return outcome->exit_status.value_or(0);
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
  const std::string missing =
      common::missing_capabilities({CAP_BPF, CAP_PERFMON, CAP_DAC_OVERRIDE});
  if (missing.empty()) return run_watched(options, *program);
  std::fprintf(stderr, "tailor: not watching for denied calls: this process lacks %s\n",
               missing.c_str());
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
  cmd->add_option("-p,--profile", options.profile,
                  "Seccomp profile: OCI/Docker JSON, or a SeccompProfile in YAML or JSON")
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
  cmd->add_option("-d,--duration", options->duration_s,
                  "Watch this many seconds (a command: with what it leaves running)")
      ->check(common::positive_number());
  cmd->add_option("--report", options->report, "Also write the recording here");
  cmd->add_flag("--allow-empty", options->allow_empty,
                "Pass when the workload made no syscalls (otherwise: nothing checked, exit 1)");
  add_target_options(cmd, options->target);
  cmd->callback([options, &choice] {
    require_target(options->target, "verify");
    choice.run = [options] { return verify(*options); };
  });
}

}  // namespace tailor::agent
