#include "common/util/strings.h"

#include <gtest/gtest.h>

namespace tailor::common {
namespace {

TEST(TrimTest, DropsWhitespaceAtBothEndsOnly) {
  EXPECT_EQ(trim("  token-1\n"), "token-1");
  EXPECT_EQ(trim("\t a b \r\n"), "a b");
  EXPECT_EQ(trim("kube-system"), "kube-system");
  EXPECT_EQ(trim(" \n\t"), "");
  EXPECT_EQ(trim(""), "");
}

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

TEST(IsUtf8Test, AcceptsWellFormedUtf8Only) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("plain ascii"));
  EXPECT_TRUE(is_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(is_utf8("caf\xe9"));           // Latin-1
  EXPECT_FALSE(is_utf8("\xc3"));              // cut short
  EXPECT_FALSE(is_utf8("\xc0\xaf"));          // overlong "/"
  EXPECT_FALSE(is_utf8("\xe0\x80\xaf"));      // overlong "/"
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(
      is_utf8("\xa7"
              "ction"));  // a lone continuation byte
}

}  // namespace
}  // namespace tailor::common
