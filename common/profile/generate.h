#pragma once

#include <string>
#include <vector>

#include "common/profile/oci.h"
#include "common/report/report.h"

namespace tailor::common {

struct GenerateOptions {
  // More architectures for the profile, as parse_arch() reads them, e.g. to run the recorded
  // workload on arm64 nodes too. The one list of names then applies to each; libseccomp
  // skips a name on an architecture that has no such syscall.
  std::vector<std::string> extra_arches;
};

// The least-privilege profile for a recording: every call the recording made is allowed, any
// other fails with EPERM. It covers the recording's native architecture, each compat
// architecture the recording used (and no other, so 32-bit calls stay blocked unless seen),
// and the extra ones asked for. A syscall libseccomp has no name for cannot be allowed; it is
// left out with a warning.
Result<ProfileWithWarnings> generate_profile(const Report& report,
                                             const GenerateOptions& options = {});

}  // namespace tailor::common
