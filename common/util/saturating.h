#pragma once

#include <cstdint>
#include <limits>

namespace tailor::common {

// Counts from agents and reports are summed: a sum that would pass 2^64-1 stays there instead
// of wrapping to a small number (a hostile or broken input must not make a busy call look rare).
constexpr uint64_t saturating_add(uint64_t a, uint64_t b) {
  uint64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<uint64_t>::max() : sum;
}

}  // namespace tailor::common
