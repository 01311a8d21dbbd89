#pragma once

#include <string>
#include <vector>

#include "common/util/result.h"

namespace tailor::e2e {

struct DashboardQuery {
  std::string panel;
  std::string expr;  // variables substituted
};

// The PromQL of every panel target of a Grafana dashboard, with its variables substituted
// as docs/observability.md says: a variable whose current value is "All" by its allValue,
// any other by its current value, and Grafana's $__rate_interval by 1m. An error names a
// variable left unsubstituted.
common::Result<std::vector<DashboardQuery>> dashboard_queries(const std::string& dashboard_path);

// The `expr` of every recording rule in a Prometheus rules file.
common::Result<std::vector<std::string>> recording_rule_exprs(const std::string& rules_path);

}  // namespace tailor::e2e
