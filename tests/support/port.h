#pragma once

#include "common/util/result.h"

namespace tailor::testing {

// A loopback port nothing listens on now, for a process that takes its port as a flag (and
// cannot be given 0): the kernel hands one out and it is let go.
common::Result<int> free_port();

}  // namespace tailor::testing
