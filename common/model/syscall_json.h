#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/model/syscall.h"

namespace tailor::common {

// A syscall as reports and deltas both write it: arch, nr, name (left out when libseccomp
// has none), phase; the caller adds its own fields after them.
nlohmann::ordered_json syscall_json(const SyscallId& id, const std::string& name);
// {"index", "values": [{"value", "count"}...], "complete"}.
nlohmann::ordered_json arg_json(const RecordedArg& arg);

}  // namespace tailor::common
