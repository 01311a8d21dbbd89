#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/reference/default_fit.h"
#include "common/report/report.h"

namespace tailor::common::html {

// Where a report page's data comes from: the page's title and the summary's lines (term, value)
// before the counts.
struct ReportOrigin {
  std::string title;
  std::vector<std::pair<std::string, std::string>> items;
  // Which of the report's syscalls the page shows ("category network"); empty: all of them.
  std::string filter;
};

// A recording's own: "tailor report: COMMAND", what was recorded, on which host, when and for
// how long.
ReportOrigin recording_origin(const RecordingInfo& info);

// `tailor report --html`: a report as one self-contained page (inline CSS, JS and SVG, nothing
// fetched) with a summary, convergence and category charts, a sortable and filterable
// syscall table, first callers, recorded argument values and the recorder's data-loss
// warnings; the fits against the runtime defaults when there are any.
std::string render_html_report(const Report& report, const std::vector<DefaultFit>& fits,
                               const ReportOrigin& origin);

// The recorder's data-loss warning with what each fault may have lost; "" when none.
std::string recorder_warnings(const Report& report);

}  // namespace tailor::common::html
