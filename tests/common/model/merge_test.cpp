// Properties of the model's one merge on random inputs: with Combine::max it is commutative,
// associative and idempotent (an agent run's cumulative state merged twice is merged once);
// with Combine::sum it is commutative and associative and doubles counts on itself.
#include "common/model/merge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>

namespace tailor::common {
namespace {

// What merge_calls joins; SyscallEntry and DeltaSyscall have these fields and more.
struct Calls {
  uint64_t count = 0;
  std::string name;
  std::optional<RecordedArg> arg;
  bool operator==(const Calls&) const = default;
};

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// Small pools, so inputs overlap, differ in names and completeness, sometimes lack the
// argument or recorded another one, and reach the saturation limit.
Calls random_calls(std::mt19937_64& rng) {
  auto pick = [&](uint64_t n) { return rng() % n; };
  auto count = [&]() { return pick(8) == 0 ? kMax - pick(3) : pick(100); };
  Calls calls{count(), pick(4) == 0 ? "" : "call" + std::to_string(pick(3)), std::nullopt};
  if (pick(4) != 0) {
    RecordedArg arg{.index = pick(6) == 0 ? 1u : 0u, .complete = pick(4) != 0};
    for (auto n = pick(4); n > 0; --n) arg.values[pick(6)] = count();
    calls.arg = arg;
  }
  return calls;
}

Calls merged(Calls into, const Calls& from, Combine how) {
  merge_calls(into, from, how);
  return into;
}

// What a profile is made of: whether the argument was recorded, which, its values, whether
// the list is complete.
auto profile_part(const Calls& calls) {
  std::set<uint64_t> values;
  if (calls.arg)
    for (const auto& [value, count] : calls.arg->values) values.insert(value);
  return std::make_tuple(calls.arg.has_value(), calls.arg ? calls.arg->index : 0u, values,
                         calls.arg && calls.arg->complete);
}

class MergePropertyTest : public ::testing::TestWithParam<Combine> {};

TEST_P(MergePropertyTest, CommutativeAndAssociative) {
  const Combine how = GetParam();
  std::mt19937_64 rng(20261205);
  for (int round = 0; round < 5000; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const Calls a = random_calls(rng), b = random_calls(rng), c = random_calls(rng);
    EXPECT_EQ(merged(a, b, how), merged(b, a, how));
    EXPECT_EQ(merged(merged(a, b, how), c, how), merged(a, merged(b, c, how), how));
  }
}

TEST_P(MergePropertyTest, GrowsExactlyWhenTheProfilePartChanges) {
  const Combine how = GetParam();
  std::mt19937_64 rng(7);
  for (int round = 0; round < 5000; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Calls into = random_calls(rng);
    const Calls from = random_calls(rng);
    const auto before = profile_part(into);
    const bool grew = merge_calls(into, from, how);
    EXPECT_EQ(grew, profile_part(into) != before);
  }
}

INSTANTIATE_TEST_SUITE_P(BothCombines, MergePropertyTest,
                         ::testing::Values(Combine::sum, Combine::max), [](const auto& info) {
                           return info.param == Combine::sum ? "sum" : "max";
                         });

// The wire carries each agent run's cumulative counts (ADR 0003): the aggregator keeps a run's
// largest, so the same state applied twice, or an older state after a newer one, is a no-op.
TEST(MergeMaxTest, IdempotentSoAReplayedStateChangesNothing) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 5000; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const Calls a = random_calls(rng), state = random_calls(rng);
    EXPECT_EQ(merged(a, a, Combine::max), a);
    const Calls once = merged(state, a, Combine::max);
    EXPECT_EQ(merged(once, a, Combine::max), once);
  }
}

// Different recordings are different calls: merging one with itself keeps its values and
// completeness and doubles every count, up to the saturation limit.
TEST(MergeSumTest, ItselfDoublesCountsAndKeepsTheSets) {
  std::mt19937_64 rng(13);
  for (int round = 0; round < 5000; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const Calls a = random_calls(rng);
    Calls expected = a;
    expected.count = saturating_add(a.count, a.count);
    if (expected.arg)
      for (auto& [value, count] : expected.arg->values) count = saturating_add(count, count);
    EXPECT_EQ(merged(a, a, Combine::sum), expected);
  }
}

TEST(MergeSumTest, SaturatesInsteadOfWrapping) {
  Calls a{kMax - 1, "read", RecordedArg{0, {{1, kMax}}, true}};
  const Calls b{5, "read", RecordedArg{0, {{1, 2}, {3, 4}}, true}};
  merge_calls(a, b, Combine::sum);
  EXPECT_EQ(a.count, kMax);
  EXPECT_EQ(a.arg->values, (std::map<uint64_t, uint64_t>{{1, kMax}, {3, 4}}));
}

TEST(MergeFirstSeenTest, KeepsTheEarliestKnownTimeInAnyOrder) {
  const int64_t times[] = {0, 5, 9};
  for (const int64_t a : times) {
    for (const int64_t b : times) {
      int64_t ab = a, ba = b;
      const bool b_earlier = merge_first_seen(ab, b);
      merge_first_seen(ba, a);
      EXPECT_EQ(ab, ba) << a << " and " << b;
      EXPECT_EQ(ab, a == 0 ? b : b == 0 ? a : std::min(a, b)) << "0 is unknown, never earliest";
      EXPECT_EQ(b_earlier, ab != a);
    }
  }
}

TEST(MergeArgTest, AMissingOrOtherArgumentMakesTheUnionIncomplete) {
  std::optional<RecordedArg> recorded = RecordedArg{0, {{2, 1}}, true};
  std::optional<RecordedArg> missing;
  EXPECT_TRUE(merge_arg(recorded, missing, Combine::sum));
  EXPECT_EQ(recorded, (RecordedArg{0, {{2, 1}}, false}));
  EXPECT_FALSE(merge_arg(recorded, missing, Combine::sum)) << "incomplete already";

  std::optional<RecordedArg> first = RecordedArg{1, {{7, 1}}, true};
  EXPECT_TRUE(merge_arg(first, RecordedArg{0, {{2, 1}}, true}, Combine::max));
  EXPECT_EQ(first, (RecordedArg{0, {{2, 1}}, false})) << "the lower index's values, incomplete";
}

}  // namespace
}  // namespace tailor::common
