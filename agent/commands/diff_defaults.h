#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/reference/default_fit.h"
#include "common/report/report.h"
#include "common/util/result.h"

namespace tailor::agent {

using common::DefaultFit;

// For each built-in default and each architecture the recording has.
common::Result<std::vector<DefaultFit>> fit_against_defaults(const common::Report& report);

// "Against the runtime defaults:" and one line per default and architecture.
std::string render_default_fits(const std::vector<DefaultFit>& fits);

nlohmann::ordered_json default_fits_json(const std::vector<DefaultFit>& fits);

}  // namespace tailor::agent
