#pragma once

#include <string>
#include <vector>

#include "agent/commands/diff_defaults.h"
#include "common/report/report.h"

namespace tailor::agent {

// `tailor report --html`: the recording as one self-contained page (inline CSS, JS and SVG,
// nothing fetched) with a summary, convergence and category charts, a sortable and filterable
// syscall table, first callers, recorded argument values and the recorder's data-loss warnings.
std::string render_html_report(const common::Report& report, const std::vector<DefaultFit>& fits);

}  // namespace tailor::agent
