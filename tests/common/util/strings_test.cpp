#include "common/util/strings.h"

#include <gtest/gtest.h>

namespace tailor::common {
namespace {

TEST(JoinTest, SeparatesItems) {
  EXPECT_EQ(join({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(join({"a", "b"}, " "), "a b");
}

TEST(JoinTest, HandlesFewItems) {
  EXPECT_EQ(join({}), "");
  EXPECT_EQ(join({"only"}), "only");
  EXPECT_EQ(join({"", "x"}), ", x");
}

}  // namespace
}  // namespace tailor::common
