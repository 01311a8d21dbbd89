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

ReviewOutcome judge_status(const json& status, const TokenReviewOptions& options) {
  if (!status.value("authenticated", false)) {
    return refused(401, "invalid_token",
                   "the token is not valid: " + status.value("error", std::string("rejected")));
  }
  const auto audiences = status.value("audiences", std::vector<std::string>{});
  if (std::find(audiences.begin(), audiences.end(), options.audience) == audiences.end()) {
    return refused(401, "wrong_audience",
                   "the token is not meant for audience " + options.audience);
  }
  const json user = status.value("user", json::object());
  ReviewOutcome outcome;
  outcome.username = user.value("username", "");
  if (outcome.username != options.service_account) {
    return refused(
        403, "wrong_service_account",
        outcome.username + " is not the agent's service account " + options.service_account);
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

}  // namespace

ReviewOutcome judge_token_review(const json& answer, const TokenReviewOptions& options) {
  try {
    return judge_status(answer.value("status", json::object()), options);
  } catch (const json::exception& e) {
    // Requests for this token wait on this review: a broken answer must still end it.
    return refused(503, "review_failed",
                   std::string("the API server's TokenReview answer is malformed: ") + e.what());
  }
}

TokenReviewer::TokenReviewer(common::KubeClient& client, TokenReviewOptions options, Clock clock)
    : client_(client),
      options_(std::move(options)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      review_limiter_(options_.reviews, clock_),
      refresh_window_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(options_.cache_ttl) * options_.refresh_ahead)),
      refresher_([this] { refresh_loop(); }) {}

TokenReviewer::~TokenReviewer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  refresh_wanted_.notify_all();
  refresher_.join();
}

ReviewOutcome TokenReviewer::review(const std::string& token) {
  if (token.empty()) {
    return refused(401, "no_token", "no bearer token: send the agent's service-account token");
  }
  const auto now = clock_();
  std::unique_lock lock(mu_);
  if (auto it = cache_.find(token); it != cache_.end() && it->second.expires > now) {
    queue_refresh(token, it->second, now);
    return it->second.outcome;
  }
  if (auto it = flights_.find(token); it != flights_.end()) {
    // A copy: land() erases the map's pointer while waiters still read the flight.
    const std::shared_ptr<Flight> flight = it->second;
    return await(lock, flight);
  }
  auto flight = std::make_shared<Flight>();
  flights_.emplace(token, flight);
  lock.unlock();
  ReviewOutcome outcome;
  if (const int wait = review_limiter_.acquire("reviews"); wait > 0) {
    outcome = refused(429, "review_rate_limited",
                      "too many unknown tokens at once: retry in " + std::to_string(wait) + " s");
    outcome.retry_after_s = wait;
  } else {
    outcome = ask(token);
  }
  lock.lock();
  land(token, flight, outcome, now);
  return outcome;
}

ReviewOutcome TokenReviewer::await(std::unique_lock<std::mutex>& lock,
                                   const std::shared_ptr<Flight>& flight) {
  if (landed_.wait_for(lock, options_.review_wait, [&] { return flight->landed; })) {
    return flight->outcome;
  }
  return refused(503, "review_failed",
                 "the API server did not answer the review of this token within " +
                     std::to_string(options_.review_wait.count()) + " s");
}

void TokenReviewer::queue_refresh(const std::string& token, Cached& cached, TimePoint now) {
  // Refused tokens just expire: only agents' requests are worth keeping fast.
  if (cached.refresh_asked || cached.outcome.status != 200 ||
      now < cached.expires - refresh_window_) {
    return;
  }
  if (refresh_queue_.size() >= options_.max_refresh_queue) return;
  cached.refresh_asked = true;
  refresh_queue_.push_back(token);
  refresh_wanted_.notify_one();
}

void TokenReviewer::refresh_loop() {
  std::unique_lock lock(mu_);
  while (true) {
    refresh_wanted_.wait(lock, [this] { return stopping_ || !refresh_queue_.empty(); });
    if (stopping_) return;
    const std::string token = std::move(refresh_queue_.front());
    refresh_queue_.pop_front();
    refresh(lock, token);
  }
}

void TokenReviewer::refresh(std::unique_lock<std::mutex>& lock, const std::string& token) {
  const auto now = clock_();
  auto it = cache_.find(token);
  // Expired, forgotten or answered anew since it was queued: its next use decides.
  if (it == cache_.end() || it->second.expires <= now || !it->second.refresh_asked ||
      flights_.contains(token)) {
    return;
  }
  if (review_limiter_.acquire("reviews", options_.reviews.burst / 2) > 0) {
    it->second.refresh_asked = false;  // a later use may find the reviews to spare
    return;
  }
  auto flight = std::make_shared<Flight>();
  flights_.emplace(token, flight);
  lock.unlock();
  const ReviewOutcome outcome = ask(token);
  lock.lock();
  // A failure leaves the old answer to expire when it would have.
  land(token, flight, outcome, now);
}

void TokenReviewer::land(const std::string& token, const std::shared_ptr<Flight>& flight,
                         const ReviewOutcome& outcome, TimePoint asked) {
  flight->landed = true;
  flight->outcome = outcome;
  flights_.erase(token);
  landed_.notify_all();
  // A failed or rate-limited review says nothing about the token: asked again next time.
  if (outcome.status == 503 || outcome.status == 429) return;
  if (cache_.size() >= options_.max_cached && !cache_.contains(token)) {
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires <= asked; });
    // Still full of live entries: a flood of distinct tokens; forgetting is always safe.
    if (cache_.size() >= options_.max_cached) cache_.clear();
  }
  cache_[token] = {outcome, asked + options_.cache_ttl};
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
  return judge_token_review(*answer, options_);
}

}  // namespace tailor::aggregator
