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

TEST(ShellQuoteTest, QuotesOnlyWordsAShellWouldSplitOrExpand) {
  EXPECT_EQ(shell_quote({"sh", "-c", "sleep 1 & wait"}), "sh -c 'sleep 1 & wait'");
  EXPECT_EQ(shell_quote({"/usr/bin/env", "A=b", "x.json", "--flag=1,2"}),
            "/usr/bin/env A=b x.json --flag=1,2");
  EXPECT_EQ(shell_quote({"echo", "", "$HOME", "it's"}), "echo '' '$HOME' 'it'\\''s'");
  EXPECT_EQ(shell_quote({}), "");
}

}  // namespace
}  // namespace tailor::common
