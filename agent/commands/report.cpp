#include "common/report/report.h"

#include <unistd.h>

#include <memory>

#include "agent/commands/commands.h"
#include "agent/commands/diff_defaults.h"
#include "agent/commands/output.h"
#include "common/html/report_page.h"
#include "common/report/table.h"
#include "common/syscalls/categories.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

struct ReportOptions {
  std::string file;
  std::vector<std::string> first_comms;
  std::vector<uint32_t> first_pids;
  // The flags' old names, refused with the reason they were renamed.
  std::vector<std::string> old_comms;
  std::vector<std::string> old_pids;
  std::vector<std::string> categories;
  bool json = false;
  bool html = false;
  std::string output;  // "" or "-": standard output
};

// "category network or file, first called by curl or pid 42", as the page says it; "" for all.
std::string filter_text(const ReportOptions& options) {
  std::vector<std::string> parts;
  if (!options.categories.empty())
    parts.push_back("category " + common::join(options.categories, " or "));
  std::vector<std::string> callers = options.first_comms;
  for (uint32_t pid : options.first_pids) callers.push_back("pid " + std::to_string(pid));
  if (!callers.empty()) parts.push_back("first called by " + common::join(callers, " or "));
  return common::join(parts, ", ");
}

int show_report(const ReportOptions& options) {
  auto report = common::read_report_file(options.file);
  if (!report) return fail(report.error());
  common::ReportFilter filter{options.first_comms, options.first_pids, {}};
  for (const auto& name : options.categories) {
    auto category = common::parse_category(name);
    if (!category) return fail(category.error(), kExitUsage);
    filter.categories.push_back(*category);
  }
  common::Report shown = common::filter_report(*report, filter);
  // Filters select syscalls made; what was denied is shown whatever they select.
  shown.denied = report->denied;
  const auto fits = fit_against_defaults(shown);
  if (!fits) return fail(fits.error());
  std::string text;
  if (options.html) {
    auto origin = common::html::recording_origin(shown.info);
    origin.filter = filter_text(options);
    text = common::html::render_html_report(shown, *fits, origin);
  } else if (options.json) {
    // A key the report format does not have: the output still reads back as a report.
    auto document = nlohmann::ordered_json::parse(common::encode_report(shown));
    document["against_defaults"] = default_fits_json(*fits);
    text = document.dump(2) + "\n";
  } else {
    // Colour is for a terminal, not for a file written with -o.
    const common::Painter paint =
        is_stdout(options.output) ? Terminal::of(STDOUT_FILENO).painter() : common::Painter{};
    // Denials first: under an enforced profile they are what breaks the workload.
    const std::string denied =
        shown.denied && !shown.denied->calls.empty()
            ? common::render_denied_table(*shown.denied, shown.info.native_arch) + "\n"
            : "";
    text = denied + common::render_table(shown, paint) + render_default_fits(*fits);
  }
  return write_or_fail(options.output, text);
}

}  // namespace

void add_report_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cmd =
      app.add_subcommand("report", "Show a recording: syscalls by category, counts, first callers");
  cmd->add_option("file", options->file, "Report file written by tailor record")->required();
  cmd->add_option("--first-comm", options->first_comms,
                  "Only syscalls whose first caller had this process name (repeatable)");
  cmd->add_option("--first-pid", options->first_pids,
                  "Only syscalls whose first caller had this pid (repeatable)");
  cmd->add_option("--comm", options->old_comms)->group("");
  cmd->add_option("--pid", options->old_pids)->group("");
  cmd->add_option("--category", options->categories,
                  "Only these categories: file, network, process, memory, ipc, time, "
                  "security-sensitive, other (repeatable)");
  auto* json = cmd->add_flag("--json", options->json, "Print the (filtered) report as JSON");
  cmd->add_flag("--html", options->html,
                "Write the (filtered) report as one self-contained HTML page")
      ->excludes(json);
  cmd->add_option("-o,--output", options->output, "Write to this file instead of standard output");
  cmd->callback([options, &choice] {
    if (!options->old_comms.empty() || !options->old_pids.empty())
      throw CLI::ValidationError(
          "report",
          "--comm and --pid are now --first-comm and --first-pid: a report keeps only "
          "the first caller of each syscall, so they select syscalls by who made them "
          "first, not by who made them");
    choice.run = [options] { return show_report(*options); };
  });
}

}  // namespace tailor::agent
