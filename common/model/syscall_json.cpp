#include "common/model/syscall_json.h"

namespace tailor::common {

using nlohmann::ordered_json;

ordered_json syscall_json(const SyscallId& id, const std::string& name) {
  ordered_json out = {{"arch", id.arch}, {"nr", id.nr}};
  if (!name.empty()) out["name"] = name;
  out["phase"] = phase_name(id.phase);
  return out;
}

ordered_json arg_json(const RecordedArg& arg) {
  ordered_json values = ordered_json::array();
  for (const auto& [value, calls] : arg.values)
    values.push_back({{"value", value}, {"count", calls}});
  return {{"index", arg.index}, {"values", std::move(values)}, {"complete", arg.complete}};
}

}  // namespace tailor::common
