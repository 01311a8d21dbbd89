// The TokenReviewer against the test API server's real TokenReview: one review per token however
// many requests present it at once, answers in use refreshed in the background ahead of expiry
// (revocations seen, failures not stretching an answer), and a clean stop. The reviewer's clock
// is the test's, so an answer's age is exact; the server's latency and faults are real.
#include "aggregator/ingest/token_reviewer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "tests/aggregator/aggregator_bed.h"
#include "tests/support/wait.h"

namespace tailor::aggregator {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

class TokenReviewerTest : public AggregatorBed {
 protected:
  // The times below are written for a 30 s cache.
  static TokenReviewOptions thirty_second_cache() {
    TokenReviewOptions options;
    options.cache_ttl = std::chrono::seconds(30);
    return options;
  }

  std::unique_ptr<TokenReviewer> reviewer(TokenReviewOptions options = thirty_second_cache()) {
    return std::make_unique<TokenReviewer>(*client_, options, [this] {
      return start_ + std::chrono::milliseconds(elapsed_ms_.load());
    });
  }

  // Sets the reviewer's clock to `t` after the test's start.
  void at(std::chrono::milliseconds t) { elapsed_ms_ = t.count(); }

  int reviews() const { return server_->request_count(testbed::Verb::kCreate); }

  // Background work shows only at the server or in later answers: polled, in real time.
  bool wait_reviews(int count) {
    return testing::wait_until([&] { return reviews() >= count; });
  }

  ReviewOutcome wait_status(TokenReviewer& reviewer, const std::string& token, int status) {
    ReviewOutcome outcome;
    (void)testing::wait_until([&] { return (outcome = reviewer.review(token)).status == status; });
    return outcome;
  }

  void revoke(const std::string& node) {
    ASSERT_TRUE(server_->delete_object("v1", "pods", "tailor", "tailor-agent-" + node));
  }

  const steady_clock::time_point start_ = steady_clock::now();
  std::atomic<int64_t> elapsed_ms_{0};
};

TEST_F(TokenReviewerTest, ConcurrentRequestsWithOneNewTokenCauseOneReview) {
  auto r = reviewer();
  const std::string token = agent_token("node-a");
  server_->faults().set_latency(300ms);  // so all 16 arrive while the review is under way
  constexpr int kThreads = 16;
  std::latch go(kThreads);
  std::vector<ReviewOutcome> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      outcomes[i] = r->review(token);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(reviews(), 1);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.status, 200) << outcome.message;
    EXPECT_EQ(outcome.node, "node-a");
  }
}

TEST_F(TokenReviewerTest, ARequestWaitsForAnotherRequestsReviewNoLongerThanReviewWait) {
  TokenReviewOptions options = thirty_second_cache();
  options.review_wait = 1s;
  auto r = reviewer(options);
  const std::string token = agent_token("node-a");
  server_->faults().set_latency(3s);
  ReviewOutcome first;
  std::thread asker([&] { first = r->review(token); });
  ASSERT_TRUE(wait_reviews(1));
  const auto before = steady_clock::now();
  const ReviewOutcome second = r->review(token);
  EXPECT_LT(steady_clock::now() - before, 2500ms);
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.reason, "review_failed");
  asker.join();
  EXPECT_EQ(first.status, 200) << first.message;
  EXPECT_EQ(reviews(), 1);
}

TEST_F(TokenReviewerTest, AnAnswerUsedLateIsRefreshedInTheBackgroundAndLivesAFullTtlFromThen) {
  auto r = reviewer();  // cache_ttl 30 s, refreshed when used in its last 10 s
  const std::string token = agent_token("node-a");
  ASSERT_EQ(r->review(token).status, 200);  // expires at 30 s
  server_->faults().set_latency(2s);
  at(21s);
  const auto before = steady_clock::now();
  EXPECT_EQ(r->review(token).status, 200);
  EXPECT_LT(steady_clock::now() - before, 1s) << "answered from the cache, not after a review";
  ASSERT_TRUE(wait_reviews(2)) << "reviewed again in the background";

  // Past the first answer's expiry and before the refreshed one's last third (41 s); a request
  // finding the refresh still under way waits for it.
  at(40900ms);
  EXPECT_EQ(r->review(token).status, 200);
  EXPECT_EQ(reviews(), 2) << "the refreshed answer, not a review of its own";

  server_->faults().set_latency(0ms);
  at(51100ms);  // refreshed at 21 s, so expired at 51 s
  EXPECT_EQ(r->review(token).status, 200);
  EXPECT_EQ(reviews(), 3) << "unused since 40.9 s: not refreshed, so reviewed on the request";
}

TEST_F(TokenReviewerTest, ATokenRevokedAtTheServerIsRefusedAfterTheRefresh) {
  auto r = reviewer();
  const std::string token = agent_token("node-a");
  ASSERT_EQ(r->review(token).status, 200);
  revoke("node-a");
  at(21s);
  EXPECT_EQ(r->review(token).status, 200) << "the cached answer, until the refresh lands";
  const ReviewOutcome refused = wait_status(*r, token, 401);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.reason, "invalid_token");
  EXPECT_NE(refused.message.find("not found"), std::string::npos) << refused.message;
  EXPECT_EQ(reviews(), 2);
}

TEST_F(TokenReviewerTest, AFailedRefreshKeepsTheOldAnswerUntilItExpires) {
  auto r = reviewer();
  const std::string token = agent_token("node-a");
  // Its refresh, queued after the token's, turns it into a refusal: seeing that tells the test
  // that the one background thread is past the token's refresh.
  const std::string marker = agent_token("node-b");
  ASSERT_EQ(r->review(token).status, 200);
  ASSERT_EQ(r->review(marker).status, 200);
  revoke("node-b");
  server_->faults().fail_next(testbed::Verb::kCreate, 503, 1);
  at(21s);
  EXPECT_EQ(r->review(token).status, 200);
  EXPECT_EQ(r->review(marker).status, 200);
  EXPECT_EQ(wait_status(*r, marker, 401).status, 401);
  EXPECT_EQ(reviews(), 4) << "both refreshed, the token's answered 503";

  at(29900ms);
  EXPECT_EQ(r->review(token).status, 200) << "the old answer, until it expires";
  EXPECT_EQ(reviews(), 4) << "a failed refresh is not tried again";

  server_->stop();
  at(30100ms);
  const ReviewOutcome failed = r->review(token);
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.reason, "review_failed");
}

TEST_F(TokenReviewerTest, DestructionWaitsForTheRefreshUnderWayAndDropsTheQueuedOnes) {
  auto r = reviewer();
  const std::vector<std::string> tokens = {agent_token("node-a"), agent_token("node-b"),
                                           agent_token("node-c")};
  for (const auto& token : tokens) ASSERT_EQ(r->review(token).status, 200);
  server_->faults().set_latency(2s);
  at(21s);
  for (const auto& token : tokens) EXPECT_EQ(r->review(token).status, 200);
  ASSERT_TRUE(wait_reviews(4)) << "the first refresh under way, two queued";
  const auto before = steady_clock::now();
  r.reset();
  // Draining the queue would take 6 s.
  EXPECT_LT(steady_clock::now() - before, 5s);
  EXPECT_EQ(reviews(), 4);
}

TEST_F(TokenReviewerTest, RefreshesLeaveHalfTheReviewBurstToNewTokens) {
  TokenReviewOptions options = thirty_second_cache();
  options.reviews = {.per_second = 0.001, .burst = 2, .max_clients = 1};
  auto r = reviewer(options);
  const std::string known = agent_token("node-a");
  const std::string fresh = agent_token("node-b");
  ASSERT_EQ(r->review(known).status, 200);  // one review left
  at(21s);
  EXPECT_EQ(r->review(known).status, 200);
  // A window, the point of the test: the background thread's chance to take the last one.
  std::this_thread::sleep_for(300ms);
  const ReviewOutcome outcome = r->review(fresh);
  EXPECT_EQ(outcome.status, 200) << outcome.message;
  EXPECT_EQ(reviews(), 2);
}

}  // namespace
}  // namespace tailor::aggregator
