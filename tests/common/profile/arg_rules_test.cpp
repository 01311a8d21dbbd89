#include "common/profile/arg_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/profile/recorded_calls.h"

namespace tailor::common {
namespace {

using ::testing::ElementsAre;
using testing::values;

constexpr uint64_t kLow32 = 0xffffffff;

std::vector<ArgRule> conditions(const std::vector<SyscallRule>& rules) {
  std::vector<ArgRule> out;
  for (const auto& rule : rules) out.insert(out.end(), rule.args.begin(), rule.args.end());
  return out;
}

TEST(ArgRulesTest, EachLevelRestrictsItsSyscalls) {
  EXPECT_FALSE(restricts_arguments(ArgLevel::off, "socket"));
  EXPECT_TRUE(restricts_arguments(ArgLevel::standard, "socket"));
  EXPECT_FALSE(restricts_arguments(ArgLevel::standard, "ioctl"));
  EXPECT_TRUE(restricts_arguments(ArgLevel::strict, "ioctl"));
  EXPECT_TRUE(restricts_arguments(ArgLevel::strict, "clone3"));
  EXPECT_FALSE(restricts_arguments(ArgLevel::strict, "read"));
}

TEST(ArgRulesTest, IntArgumentsCompareTheLowHalfTheKernelReads) {
  // The same family, once passed sign-extended or with garbage above it.
  const auto rules =
      arg_rules(ArgLevel::standard, "socketpair", values(0, {1, 0xffffffff00000001}));
  ASSERT_TRUE(rules.has_value());
  EXPECT_THAT(conditions(*rules), ElementsAre(ArgRule{0, kLow32, 1, ArgOp::masked_equal}));
}

TEST(ArgRulesTest, LongArgumentsCompareWhole) {
  const auto rules = arg_rules(ArgLevel::strict, "ptrace", values(0, {0, 16}));
  ASSERT_TRUE(rules.has_value());
  EXPECT_THAT(conditions(*rules),
              ElementsAre(ArgRule{0, 0, 0, ArgOp::equal}, ArgRule{0, 16, 0, ArgOp::equal}));
}

TEST(ArgRulesTest, KeepsTheRecordedArgumentIndex) {
  const auto rules = arg_rules(ArgLevel::standard, "setns", values(1, {0}));
  ASSERT_TRUE(rules.has_value());
  EXPECT_THAT(conditions(*rules), ElementsAre(ArgRule{1, kLow32, 0, ArgOp::masked_equal}));
}

TEST(ArgRulesTest, NoRecordedValueLeavesTheSyscallByName) {
  EXPECT_FALSE(arg_rules(ArgLevel::standard, "socket", values(0, {})).has_value());
}

TEST(ArgRulesTest, Clone3GetsEnosysUnlessItCreatedANamespace) {
  const auto rules = arg_rules(ArgLevel::standard, "clone3", values(0, {0x3d0f00}));
  ASSERT_TRUE(rules.has_value());
  EXPECT_THAT(*rules,
              ElementsAre(SyscallRule{
                  .names = {"clone3"}, .action = Action::return_errno, .errno_ret = kClone3Errno}));
  EXPECT_FALSE(arg_rules(ArgLevel::standard, "clone3", values(0, {0x3d0f00, 0x20000000})));
}

TEST(ArgRulesTest, CloneMayNotCreateNamespacesItDidNot) {
  const auto rules = arg_rules(ArgLevel::standard, "clone", values(0, {0x1200011}));
  ASSERT_TRUE(rules.has_value());
  EXPECT_THAT(conditions(*rules),
              ElementsAre(ArgRule{0, kNamespaceCloneFlags, 0, ArgOp::masked_equal}));
  // CLONE_NEWTIME alone is enough to leave clone unrestricted.
  EXPECT_FALSE(arg_rules(ArgLevel::standard, "clone", values(0, {0x80})));
}

}  // namespace
}  // namespace tailor::common
