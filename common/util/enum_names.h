#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/result.h"
#include "common/util/strings.h"

namespace tailor::common {

// The names an enum has outside the program (in files, on the command line, in paths and
// headers), in the order they are listed to a user.
template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

// The values alone, in the same order, for what lists every value.
template <typename Enum, std::size_t N>
constexpr std::array<Enum, N> enum_values(const EnumNames<Enum, N>& names) {
  std::array<Enum, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = names[i].first;
  return out;
}

template <typename Enum, std::size_t N>
std::string_view enum_name(const EnumNames<Enum, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "?";  // only for a value outside the enum, which a cast alone can make
}

// `what` names the kind of value in the error: "unknown action \"x\"; valid: a, b".
template <typename Enum, std::size_t N>
Result<Enum> parse_enum(const EnumNames<Enum, N>& names, std::string_view text,
                        std::string_view what) {
  std::vector<std::string> valid;
  for (const auto& [value, name] : names) {
    if (name == text) return value;
    valid.emplace_back(name);
  }
  return make_error("unknown " + std::string(what) + " \"" + std::string(text) +
                    "\"; valid: " + join(valid));
}

}  // namespace tailor::common
