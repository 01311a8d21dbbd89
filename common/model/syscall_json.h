#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/model/syscall.h"

namespace tailor::common {

// A syscall as reports and deltas both write it: arch, nr, name (left out when libseccomp
// has none), phase; the caller adds its own fields after them.
inline nlohmann::ordered_json syscall_json(const SyscallId& id, const std::string& name) {
  nlohmann::ordered_json out = {{"arch", id.arch}, {"nr", id.nr}};
  if (!name.empty()) out["name"] = name;
  out["phase"] = phase_name(id.phase);
  return out;
}

inline nlohmann::ordered_json arg_json(const RecordedArg& arg) {
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (const auto& [value, calls] : arg.values)
    values.push_back({{"value", value}, {"count", calls}});
  return {{"index", arg.index}, {"values", std::move(values)}, {"complete", arg.complete}};
}

}  // namespace tailor::common
