#include <cstdio>
#include <memory>
#include <utility>

#include "agent/cgroup/cgroup2.h"
#include "agent/cgroup/container_lookup.h"
#include "agent/cli/command.h"
#include "agent/commands/commands.h"
#include "agent/commands/output.h"
#include "agent/commands/target_options.h"
#include "agent/recorder/recording.h"
#include "common/report/report.h"
#include "common/util/saturating.h"

namespace tailor::agent {
namespace {

struct RecordOptions {
  std::string output;
  double duration_s = 0;
  bool trace = false;
  bool wait = false;
  TargetOptions target;
};

int record(const RecordOptions& options) {
  auto cgroups = Cgroup2::detect();
  if (!cgroups) return fail(cgroups.error());
  RecordingRequest request;
  if (options.wait && !find_container_cgroup(*cgroups, options.target.container,
                                             options.target.runtime_search_roots())) {
    // Not there yet: recorded from its first syscall once it appears.
    request.target = RecordingTarget{"container", options.target.container, "", false};
    request.wait_for_container = options.target.container;
    request.runtime_roots = options.target.runtime_search_roots();
  } else if (int status = prepare_request(options.target, *cgroups, request); status != 0) {
    return status;
  }
  const std::string output =
      options.output.empty() ? options.target.stem() + ".report.json" : options.output;
  if (auto writable = check_writable(output); !writable) return fail(writable.error());
  request.duration_s = options.duration_s;
  request.trace = options.trace;
  auto outcome = record_target(*cgroups, request);
  if (!outcome) return fail(outcome.error());
  const common::Report& report = outcome->report;
  if (auto saved = save_report(output, report); !saved) return fail(saved.error());

  uint64_t calls = 0;
  for (const auto& entry : report.syscalls) calls = common::saturating_add(calls, entry.count);
  std::fprintf(stderr, "tailor: %zu distinct syscalls, %llu calls recorded -> %s\n",
               common::distinct_first_seen_ns(report).size(),
               static_cast<unsigned long long>(calls), output.c_str());
  if (common::records_nothing(report))
    std::fprintf(stderr,
                 "tailor: WARNING: nothing was recorded: no process in cgroup %s made a syscall "
                 "a profile would meet; was the workload running? A profile of this report "
                 "would deny everything\n",
                 report.info.cgroup_path.c_str());
  if (const auto dropped = report.recorder_stats.at("events_dropped"); dropped > 0)
    std::fprintf(stderr,
                 "tailor: warning: %llu first-seen events dropped (their syscalls are in the "
                 "report, without first caller)\n",
                 static_cast<unsigned long long>(dropped));
  return outcome->exit_status.value_or(0);
}

}  // namespace

void add_record_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<RecordOptions>();
  CLI::App* cmd = app.add_subcommand(
      "record", "Record the syscalls of a command, cgroup, process or container");
  cmd->add_option("-o,--output", options->output, "Report file (default: <name>.report.json)");
  cmd->add_option("-d,--duration", options->duration_s,
                  "Record this many seconds, following what a command leaves running (default: "
                  "until the command exits; what it leaves running is then stopped)")
      ->check(common::positive_number());
  cmd->add_flag("--trace", options->trace, "Print each syscall the first time it is seen");
  cmd->add_flag("--wait", options->wait,
                "With --container: wait for a container that does not exist yet and record it from "
                "its first syscall (runtime start-up included)");
  add_target_options(cmd, options->target);
  cmd->callback([options, &choice] {
    require_target(options->target, "record");
    if (options->wait && options->target.container.empty())
      throw CLI::ValidationError("record", "--wait goes with --container");
    choice.run = [options] { return record(*options); };
  });
}

}  // namespace tailor::agent
