#include "aggregator/ingest/token_reviewer.h"

#include <algorithm>

namespace tailor::aggregator {
namespace {

using nlohmann::json;

constexpr const char* kNodeNameExtra = "authentication.kubernetes.io/node-name";

ReviewOutcome refused(int status, std::string reason, std::string message) {
  ReviewOutcome outcome;
  outcome.status = status;
  outcome.reason = std::move(reason);
  outcome.message = std::move(message);
  return outcome;
}

}  // namespace

TokenReviewer::TokenReviewer(common::KubeClient& client, TokenReviewOptions options, Clock clock)
    : client_(client),
      options_(std::move(options)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      review_limiter_(options_.reviews, clock_) {}

ReviewOutcome TokenReviewer::review(const std::string& token) {
  if (token.empty()) {
    return refused(401, "no_token", "no bearer token: send the agent's service-account token");
  }
  const auto now = clock_();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(token);
    if (it != cache_.end() && it->second.expires > now) return it->second.outcome;
  }
  if (const int wait = review_limiter_.acquire("reviews"); wait > 0) {
    ReviewOutcome outcome =
        refused(429, "review_rate_limited",
                "too many unknown tokens at once: retry in " + std::to_string(wait) + " s");
    outcome.retry_after_s = wait;
    return outcome;
  }
  ReviewOutcome outcome = ask(token);
  // A failed review says nothing about the token: asked again next time.
  if (outcome.status == 503) return outcome;
  std::lock_guard lock(mu_);
  if (cache_.size() >= options_.max_cached) {
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires <= now; });
    // Still full of live entries: a flood of distinct tokens; forgetting is always safe.
    if (cache_.size() >= options_.max_cached) cache_.clear();
  }
  cache_[token] = {outcome, now + options_.cache_ttl};
  return outcome;
}

ReviewOutcome TokenReviewer::ask(const std::string& token) {
  const json review = {{"apiVersion", "authentication.k8s.io/v1"},
                       {"kind", "TokenReview"},
                       {"spec", {{"token", token}, {"audiences", {options_.audience}}}}};
  auto answer = client_.create("/apis/authentication.k8s.io/v1/tokenreviews", review);
  if (!answer) {
    return refused(503, "review_failed",
                   "cannot review the token with the API server: " + answer.error().message);
  }
  return judge(answer->value("status", json::object()));
}

ReviewOutcome TokenReviewer::judge(const json& status) const {
  if (!status.value("authenticated", false)) {
    return refused(401, "invalid_token",
                   "the token is not valid: " + status.value("error", std::string("rejected")));
  }
  const auto audiences = status.value("audiences", std::vector<std::string>{});
  if (std::find(audiences.begin(), audiences.end(), options_.audience) == audiences.end()) {
    return refused(401, "wrong_audience",
                   "the token is not meant for audience " + options_.audience);
  }
  const json user = status.value("user", json::object());
  ReviewOutcome outcome;
  outcome.username = user.value("username", "");
  if (outcome.username != options_.service_account) {
    return refused(
        403, "wrong_service_account",
        outcome.username + " is not the agent's service account " + options_.service_account);
  }
  const json extra = user.value("extra", json::object());
  const auto nodes = extra.value(kNodeNameExtra, std::vector<std::string>{});
  if (nodes.size() != 1 || nodes.front().empty()) {
    return refused(403, "no_node",
                   "the token is not bound to a pod on a node: use a projected service-account "
                   "token of the agent's pod");
  }
  outcome.node = nodes.front();
  return outcome;
}

}  // namespace tailor::aggregator
