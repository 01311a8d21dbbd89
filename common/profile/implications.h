#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/profile/generate.h"
#include "common/report/report.h"

namespace tailor::common {

// Syscalls that one recorded run can miss because the kernel or libc makes them only at some
// times (a contended lock, a paused container, an arriving signal), implied by recorded calls
// that make them possible. Rules apply in order, each to what was recorded and what earlier
// rules implied; a name implied twice keeps its first reason. Names the recording shows are
// left out. docs/profiles.md lists the rules and why each holds. `also_allowed` (the
// runtime's needs, a user's base list) implies as recorded names do: a profile read back as a
// recording, as the aggregator does at start-up, then implies nothing it did not imply before.
std::vector<AddedSyscall> implied_syscalls(const Report& report,
                                           const std::set<std::string>& also_allowed = {});

}  // namespace tailor::common
