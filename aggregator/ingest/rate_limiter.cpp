#include "aggregator/ingest/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace tailor::aggregator {

RateLimiter::RateLimiter(RateLimitOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

int RateLimiter::acquire(const std::string& client, double keep) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    // A full bucket is what a forgotten client gets anyway, so forgetting all is safe.
    if (buckets_.size() >= options_.max_clients) buckets_.clear();
    it = buckets_.emplace(client, Bucket{options_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.at).count();
  bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.per_second);
  bucket.at = now;
  const double needed = 1 + keep;
  if (bucket.tokens >= needed) {
    bucket.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((needed - bucket.tokens) / options_.per_second)));
}

}  // namespace tailor::aggregator
