#pragma once

#include <string>

#include "common/profile/generate.h"
#include "common/report/report.h"
#include "common/util/result.h"

namespace tailor::agent {

// `tailor profile --html`: a generated profile as one self-contained page, in the report page's
// style: each syscall it allows with its reason (recorded with its calls and first caller,
// added for the runtime, implied and why, or asked for) and argument rule, and the profile
// against each built-in runtime default, with every security-sensitive call it removes and why.
common::Result<std::string> render_profile_page(const common::Report& report,
                                                const common::GeneratedProfile& generated,
                                                const common::GenerateOptions& options);

}  // namespace tailor::agent
