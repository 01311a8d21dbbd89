#pragma once

#include <string>

#include "common/profile/oci.h"
#include "common/util/result.h"

namespace tailor::agent {

// A seccomp profile as a user hands one to tailor, in any form tailor writes: an OCI/Docker
// seccomp profile (JSON) or a Security Profiles Operator SeccompProfile (YAML or JSON),
// recognised by its content.
struct ProfileInput {
  common::ProfileWithWarnings decoded;
  std::string kind;  // "OCI profile" or "SeccompProfile"
};

// The error of a document in neither form names both.
common::Result<ProfileInput> parse_profile_input(const std::string& text,
                                                 const common::ProfileDecodeOptions& options = {});

// The file at `path`, its errors prefixed with the path. A tailor report is refused with a
// pointer to `tailor profile`.
common::Result<ProfileInput> load_profile_input(const std::string& path,
                                                const common::ProfileDecodeOptions& options = {});

}  // namespace tailor::agent
