#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/report/report.h"

namespace tailor::common {

// Container runtimes whose start-up Tailor knows.
enum class Runtime { runc, crun };
std::string_view runtime_name(Runtime runtime);
std::vector<Runtime> all_runtimes();

// What a runtime calls after it installed the container's seccomp filter and
// before the entrypoint runs, so every profile for its containers must allow
// it. Measured here (docs/runtimes.md) for runc 1.1 and crun 1.8; runc's list
// also holds what its Go runtime may call at any moment (futex, tgkill, ...).
// With no_new_privileges the runtime installs the filter later, right before
// execve, and needs less.
std::vector<std::string> runtime_post_filter_syscalls(Runtime runtime, bool no_new_privileges);

// The runtimes that started the recorded containers, from the comms of the runtime phases'
// first callers; none for a plain command. A workload's pods may have run under runc on some
// nodes and crun on others: each needs its own calls allowed.
std::vector<Runtime> detect_runtimes(const Report& report);

}  // namespace tailor::common
