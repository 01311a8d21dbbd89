#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace tailor::aggregator {

struct RateLimitOptions {
  double per_second = 20;  // an agent sends a batch every few seconds; this is a flood
  double burst = 40;       // a restarted agent replays its spool at once
  std::size_t max_clients = 100000;
};

// A token bucket per client, so one misbehaving agent cannot starve the others. Thread-safe.
class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit RateLimiter(RateLimitOptions options, Clock clock = {});

  // 0: allowed (and counted). Otherwise the whole seconds to wait, for Retry-After.
  // `keep`: tokens that must remain afterwards, so work that can wait takes only what urgent
  // work leaves spare.
  int acquire(const std::string& client, double keep = 0);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };

  RateLimitOptions options_;
  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace tailor::aggregator
