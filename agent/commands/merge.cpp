#include "common/report/merge.h"

#include <cstdio>
#include <memory>

#include "agent/commands/commands.h"
#include "agent/commands/output.h"
#include "common/report/report.h"

namespace tailor::agent {
namespace {

struct MergeOptions {
  std::vector<std::string> files;
  std::string output;
};

int merge(const MergeOptions& options) {
  std::vector<common::MergeInput> inputs;
  for (const auto& file : options.files) {
    auto report = common::read_report_file(file);
    if (!report) return fail(report.error());
    inputs.push_back({file, std::move(*report)});
  }
  auto merged = common::merge_reports(inputs);
  if (!merged) return fail(merged.error());
  if (int status = write_or_fail(options.output, common::encode_report(*merged) + "\n");
      status != 0)
    return status;
  if (!is_stdout(options.output)) {
    std::fprintf(stderr, "tailor: merged %zu reports, %zu syscall entries -> %s\n", inputs.size(),
                 merged->syscalls.size(), options.output.c_str());
  }
  return 0;
}

}  // namespace

void add_merge_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Merge reports of several runs (replicas, test runs) into one report");
  cmd->add_option("reports", options->files, "Report files written by tailor record")->required();
  cmd->add_option("-o,--output", options->output, "Merged report file (default: standard output)");
  cmd->callback([options, &choice] { choice.run = [options] { return merge(*options); }; });
}

}  // namespace tailor::agent
