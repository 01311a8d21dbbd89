#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/commands/allow_set.h"
#include "common/reference/default_fit.h"
#include "common/report/report.h"
#include "common/util/result.h"

namespace tailor::agent {

using common::DefaultFit;

// A built-in runtime default and how it compares with a profile or recording (as B).
struct AgainstDefault {
  std::string name;
  std::string version;
  AllowSet allows;
  AllowDiff diff;
};

common::Result<std::vector<AgainstDefault>> against_defaults(const AllowSet& set);

// For each built-in default and each architecture the recording has.
common::Result<std::vector<DefaultFit>> fit_against_defaults(const common::Report& report);

// "Against the runtime defaults:" and one line per default and architecture.
std::string render_default_fits(const std::vector<DefaultFit>& fits);

nlohmann::ordered_json default_fits_json(const std::vector<DefaultFit>& fits);

}  // namespace tailor::agent
