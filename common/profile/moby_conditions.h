#pragma once

#include "common/profile/oci.h"

namespace tailor::common {

// Whether Docker keeps a rule with Moby's includes/excludes conditions for a container with
// Docker's default capabilities on this host's architecture and a kernel newer than any
// minKernel: a rule that needs a capability or another architecture is left out, a rule
// excluded for a default capability or this architecture too. An unconditional rule is kept.
//
// A Localhost profile is a file Docker's format describes, so tailor runs, verifies and
// compares it as Docker applies it to such a container.
bool applies_to_default_container(const SyscallRule& rule);

}  // namespace tailor::common
