#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "aggregator/ingest/rate_limiter.h"
#include "common/k8s/client/kube_client.h"

namespace tailor::aggregator {

struct TokenReviewOptions {
  std::string audience = "tailor-aggregator";
  std::string service_account = "system:serviceaccount:tailor:tailor-agent";
  // Long enough that an agent's requests cost one review per interval (5,000 nodes: 42
  // reviews a second), short enough that a deleted pod's token stops working soon: the
  // kube-apiserver's own default for cached webhook TokenReviews.
  std::chrono::seconds cache_ttl{120};
  std::size_t max_cached = 10000;
  // An accepted answer used in this last part of cache_ttl is answered from the cache and
  // reviewed again in the background, so a busy agent never waits for a review after its
  // first; 0: never.
  double refresh_ahead = 1.0 / 3;
  // Background reviews waiting; when full, an answer simply expires and its next use
  // reviews it on the request.
  std::size_t max_refresh_queue = 1000;
  // How long a request waits for a review of the same token that another request started:
  // as long as that review can take with the client's default timeouts.
  std::chrono::seconds review_wait =
      common::KubeClientOptions{}.connect_timeout + common::KubeClientOptions{}.request_timeout;
  // TokenReviews sent to the API server, over all clients: the per-node rate limit only
  // applies once a token is known, so a flood of distinct bad tokens is held here. Background
  // reviews count too, but take only what leaves half the burst to first reviews.
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

// What the API server's answer to a TokenReview says of its token under `options`; a malformed
// answer (the API server's or whoever answers in its place) is a 503 naming what is wrong.
ReviewOutcome judge_token_review(const nlohmann::json& answer, const TokenReviewOptions& options);

// Checks agents' bound service-account tokens with the API server's TokenReview, caching
// answers by token for a short while so the API server sees one review per agent and
// interval, not one per request. Requests presenting a token under review wait for that one
// review; answers in use are refreshed ahead of expiry by one background thread. Thread-safe.
class TokenReviewer {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  TokenReviewer(common::KubeClient& client, TokenReviewOptions options, Clock clock = {});
  // Waits for a background review in flight, if any; queued ones are dropped.
  ~TokenReviewer();
  TokenReviewer(const TokenReviewer&) = delete;
  TokenReviewer& operator=(const TokenReviewer&) = delete;

  ReviewOutcome review(const std::string& token);

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Cached {
    ReviewOutcome outcome;
    TimePoint expires;
    // Queued or tried in the background: one refresh per answer, so a failing API server
    // is not asked again until the answer expires.
    bool refresh_asked = false;
  };
  // One review in progress; requests presenting the same token wait for its outcome.
  struct Flight {
    bool landed = false;
    ReviewOutcome outcome;
  };

  ReviewOutcome await(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Flight>& flight);
  void queue_refresh(const std::string& token, Cached& cached, TimePoint now);
  void refresh_loop();
  void refresh(std::unique_lock<std::mutex>& lock, const std::string& token);
  void land(const std::string& token, const std::shared_ptr<Flight>& flight,
            const ReviewOutcome& outcome, TimePoint asked);
  ReviewOutcome ask(const std::string& token);

  common::KubeClient& client_;
  TokenReviewOptions options_;
  Clock clock_;
  RateLimiter review_limiter_;
  std::chrono::steady_clock::duration refresh_window_;
  std::mutex mu_;
  std::map<std::string, Cached> cache_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
  std::condition_variable landed_;
  std::deque<std::string> refresh_queue_;
  std::condition_variable refresh_wanted_;
  bool stopping_ = false;
  std::thread refresher_;  // last: starts once everything it uses exists
};

}  // namespace tailor::aggregator
