#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>

namespace tailor::common {

class JsonObjectReader;

// The process that made a syscall first in a recording (or had it denied first).
struct FirstCaller {
  uint32_t pid = 0;
  uint32_t tid = 0;
  std::string comm;

  bool operator==(const FirstCaller&) const = default;
};

// Keeps in `into` the first sighting (time and caller) of two a merge sees (of a SyscallEntry
// or a DeniedCall): the earlier, then one with a known caller, then the lower caller, so the
// choice does not depend on the order of the inputs.
template <typename Sighting>
void keep_first_sighting(Sighting& into, const Sighting& from) {
  auto rank = [](const Sighting& s) {
    const FirstCaller none;
    const FirstCaller& caller = s.first_caller ? *s.first_caller : none;
    return std::make_tuple(s.first_seen_ns, !s.first_caller.has_value(), caller.pid, caller.tid,
                           caller.comm);
  };
  if (!(rank(from) < rank(into))) return;
  into.first_seen_ns = from.first_seen_ns;
  into.first_caller = from.first_caller;
}

// The "first_caller" object of a report's syscall or denied call.
nlohmann::ordered_json encode_first_caller(const FirstCaller& caller);
// Its optional "first_caller" field, as `reader` reads the syscall or denied call.
std::optional<FirstCaller> read_first_caller(JsonObjectReader& reader);

}  // namespace tailor::common
