#include "common/report/first_caller.h"

#include "common/util/json_reader.h"

namespace tailor::common {

nlohmann::ordered_json encode_first_caller(const FirstCaller& caller) {
  return {{"pid", caller.pid}, {"tid", caller.tid}, {"comm", caller.comm}};
}

std::optional<FirstCaller> read_first_caller(JsonObjectReader& reader) {
  const nlohmann::json* caller = reader.optional_object("first_caller");
  if (caller == nullptr) return std::nullopt;
  JsonObjectReader caller_reader(*caller, reader.path_of("first_caller"));
  FirstCaller out{caller_reader.required<uint32_t>("pid"), caller_reader.required<uint32_t>("tid"),
                  caller_reader.required<std::string>("comm")};
  reader.absorb(caller_reader);
  return out;
}

}  // namespace tailor::common
