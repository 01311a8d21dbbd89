#include "agent/commands/report.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "agent/commands/output.h"
#include "common/report/report.h"
#include "common/report/table.h"
#include "common/syscalls/categories.h"

namespace tailor::agent {
namespace {

struct ReportOptions {
  std::string file;
  std::vector<std::string> comms;
  std::vector<uint32_t> pids;
  std::vector<std::string> categories;
  bool json = false;
};

int show_report(const ReportOptions& options) {
  auto report = common::read_report_file(options.file);
  if (!report) return fail(report.error());
  common::ReportFilter filter{options.comms, options.pids, {}};
  for (const auto& name : options.categories) {
    auto category = common::parse_category(name);
    if (!category) return fail(category.error(), kExitUsage);
    filter.categories.push_back(*category);
  }
  const common::Report shown = common::filter_report(*report, filter);
  const std::string text = options.json
                               ? common::encode_report(shown) + "\n"
                               : common::render_table(shown, Terminal::of(STDOUT_FILENO).painter());
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Show a recording: syscalls by category, counts, first callers");
  cmd->add_option("file", options->file, "Report file written by tailor record")->required();
  cmd->add_option("--comm", options->comms, "Only syscalls first made by this process name (repeatable)");
  cmd->add_option("--pid", options->pids, "Only syscalls first made by this pid (repeatable)");
  cmd->add_option("--category", options->categories,
                  "Only these categories: file, network, process, memory, ipc, time, "
                  "security-sensitive, other (repeatable)");
  cmd->add_flag("--json", options->json, "Print the (filtered) report as JSON");
  cmd->callback([options, &choice] { choice.run = [options] { return show_report(*options); }; });
}

}  // namespace tailor::agent
