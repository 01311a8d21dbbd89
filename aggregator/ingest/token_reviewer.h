#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "aggregator/ingest/rate_limiter.h"
#include "common/k8s/client/kube_client.h"

namespace tailor::aggregator {

struct TokenReviewOptions {
  std::string audience = "tailor-aggregator";
  std::string service_account = "system:serviceaccount:tailor:tailor-agent";
  // Long enough that an agent's requests cost one review per interval, short enough that a
  // deleted pod's token stops working soon.
  std::chrono::seconds cache_ttl{30};
  std::size_t max_cached = 10000;
  // TokenReviews sent to the API server, over all clients: the per-node rate limit only
  // applies once a token is known, so a flood of distinct bad tokens is held here.
  RateLimitOptions reviews = {.per_second = 200, .burst = 400, .max_clients = 1};
};

// Who sent a request, or why it may not: `status` is 200 for an agent, else the HTTP status
// to answer (401 unauthenticated, 403 not the agent's service account, 429 too many reviews,
// 503 review failed),
// `reason` a metric label and `message` the one line for the response.
struct ReviewOutcome {
  int status = 200;
  std::string reason;
  std::string message;
  std::string username;
  std::string node;       // from the token's authentication.kubernetes.io/node-name extra
  int retry_after_s = 0;  // with 429
};

// Checks agents' bound service-account tokens with the API server's TokenReview, caching
// answers by token for a short while so the API server sees one review per agent and
// interval, not one per request. Thread-safe.
class TokenReviewer {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  TokenReviewer(common::KubeClient& client, TokenReviewOptions options, Clock clock = {});

  ReviewOutcome review(const std::string& token);

 private:
  struct Cached {
    ReviewOutcome outcome;
    std::chrono::steady_clock::time_point expires;
  };
  ReviewOutcome ask(const std::string& token);
  ReviewOutcome judge(const nlohmann::json& status) const;

  common::KubeClient& client_;
  TokenReviewOptions options_;
  Clock clock_;
  RateLimiter review_limiter_;
  std::mutex mu_;
  std::map<std::string, Cached> cache_;
};

}  // namespace tailor::aggregator
