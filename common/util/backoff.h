#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace tailor::common {

// The delay before retry `attempt` (0: the first): doubling from `initial` up to `max`, each
// between half and all of that (jitter, so a fleet of agents that lost the server together, or
// a writer's objects that failed together, do not come back in step). For callers that keep
// many retries apart and cannot afford a Backoff (and its generator) each.
std::chrono::milliseconds backoff_delay(std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max, unsigned attempt,
                                        std::mt19937_64& random);

// Delays between attempts to reach a server (the aggregator, the API server), by
// backoff_delay. A Retry-After from the server is a floor, capped at `max`.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);

  std::chrono::milliseconds next(std::optional<std::chrono::seconds> retry_after = std::nullopt);
  // After a success: the next failure starts from `initial` again.
  void reset() { attempts_ = 0; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  unsigned attempts_ = 0;
  std::mt19937_64 random_;
};

}  // namespace tailor::common
