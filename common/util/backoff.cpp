#include "common/util/backoff.h"

#include <algorithm>

namespace tailor::common {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), random_(seed) {}

std::chrono::milliseconds Backoff::next(std::optional<std::chrono::seconds> retry_after) {
  // Doubling stops at max; the shift stays below 63 bits whatever the attempt count.
  const auto ceiling =
      attempts_ >= 30 ? max_ : std::min(max_, initial_ * (int64_t{1} << attempts_));
  ++attempts_;
  std::uniform_int_distribution<int64_t> half(ceiling.count() / 2, ceiling.count());
  const std::chrono::milliseconds delay(half(random_));
  if (!retry_after) return delay;
  return std::max(delay, std::min<std::chrono::milliseconds>(*retry_after, max_));
}

}  // namespace tailor::common
