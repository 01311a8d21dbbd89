#pragma once

#include <cstdint>
#include <string>

namespace tailor::common {

// The process that made a syscall first in a recording (or had it denied first).
struct FirstCaller {
  uint32_t pid = 0;
  uint32_t tid = 0;
  std::string comm;

  bool operator==(const FirstCaller&) const = default;
};

}  // namespace tailor::common
