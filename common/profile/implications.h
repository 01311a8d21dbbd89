#pragma once

#include <vector>

#include "common/profile/generate.h"
#include "common/report/report.h"

namespace tailor::common {

// Syscalls that one recorded run can miss because the kernel or libc makes them only at some
// times (a contended lock, a paused container, an arriving signal), implied by recorded calls
// that make them possible. Rules apply in order, each to what was recorded and what earlier
// rules implied; a name implied twice keeps its first reason. Names the recording shows are
// left out. docs/profiles.md lists the rules and why each holds.
std::vector<AddedSyscall> implied_syscalls(const Report& report);

}  // namespace tailor::common
