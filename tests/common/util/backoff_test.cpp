#include "common/util/backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace tailor::common {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(BackoffTest, DoublesWithJitterUpToTheMaximum) {
  Backoff backoff(milliseconds(100), milliseconds(1000), 42);
  const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (const int64_t ceiling : ceilings) {
    const auto delay = backoff.next().count();
    EXPECT_GE(delay, ceiling / 2);
    EXPECT_LE(delay, ceiling);
  }
  for (int i = 0; i < 100; ++i) EXPECT_LE(backoff.next(), milliseconds(1000));
}

TEST(BackoffTest, JitterDiffersBetweenAgents) {
  Backoff a(milliseconds(1000), milliseconds(60000), 1);
  Backoff b(milliseconds(1000), milliseconds(60000), 2);
  bool differed = false;
  for (int i = 0; i < 5; ++i) differed = differed || a.next() != b.next();
  EXPECT_TRUE(differed);
}

// What a writer with many objects retrying uses: one generator, an attempt count per object.
TEST(BackoffTest, ADelayIsBetweenHalfAndAllOfItsAttemptsCeilingAndSpreadsRetriesApart) {
  std::mt19937_64 random(5);
  const int64_t ceilings[] = {200, 400, 800, 1000, 1000};
  for (unsigned attempt = 0; attempt < 5; ++attempt) {
    std::set<int64_t> delays;
    for (int object = 0; object < 50; ++object) {
      const int64_t delay =
          backoff_delay(milliseconds(200), milliseconds(1000), attempt, random).count();
      EXPECT_GE(delay, ceilings[attempt] / 2);
      EXPECT_LE(delay, ceilings[attempt]);
      delays.insert(delay);
    }
    EXPECT_GT(delays.size(), 25u) << "objects that failed together retry apart";
  }
  EXPECT_LE(backoff_delay(milliseconds(200), milliseconds(1000), 4000000000u, random),
            milliseconds(1000));
}

TEST(BackoffTest, RetryAfterIsAFloorCappedAtTheMaximum) {
  Backoff backoff(milliseconds(100), milliseconds(60000), 7);
  EXPECT_EQ(backoff.next(seconds(30)), milliseconds(30000));
  EXPECT_EQ(backoff.next(seconds(86400)), milliseconds(60000));
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff(milliseconds(100), milliseconds(10000), 3);
  for (int i = 0; i < 6; ++i) backoff.next();
  backoff.reset();
  EXPECT_LE(backoff.next(), milliseconds(100));
}

}  // namespace
}  // namespace tailor::common
