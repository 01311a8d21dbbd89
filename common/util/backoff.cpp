#include "common/util/backoff.h"

#include <algorithm>

namespace tailor::common {

std::chrono::milliseconds backoff_delay(std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max, unsigned attempt,
                                        std::mt19937_64& random) {
  max = std::max(initial, max);
  // Doubling stops at max; the shift stays below 63 bits whatever the attempt count.
  const auto ceiling = attempt >= 30 ? max : std::min(max, initial * (int64_t{1} << attempt));
  std::uniform_int_distribution<int64_t> half(ceiling.count() / 2, ceiling.count());
  return std::chrono::milliseconds(half(random));
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), random_(seed) {}

std::chrono::milliseconds Backoff::next(std::optional<std::chrono::seconds> retry_after) {
  const std::chrono::milliseconds delay = backoff_delay(initial_, max_, attempts_++, random_);
  if (!retry_after) return delay;
  return std::max(delay, std::min<std::chrono::milliseconds>(*retry_after, max_));
}

}  // namespace tailor::common
