#pragma once

#include <chrono>
#include <cstdint>

namespace tailor::common {

// Wall-clock time as the wire format, reports and logs carry it: Unix milliseconds.
inline int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tailor::common
