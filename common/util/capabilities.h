#pragma once

#include <initializer_list>
#include <string>

namespace tailor::common {

// Those of `capabilities` (CAP_BPF, CAP_PERFMON, ...) missing from this process's effective
// set, named for an error message: "CAP_PERFMON", "CAP_BPF and CAP_PERFMON"; "" when it has
// them all. A capability without a name here is named by its number.
std::string missing_capabilities(std::initializer_list<int> capabilities);

}  // namespace tailor::common
