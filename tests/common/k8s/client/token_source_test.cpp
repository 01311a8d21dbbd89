#include "common/k8s/client/token_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/common/testing/temp_dir.h"

namespace tailor::common {
namespace {

namespace fs = std::filesystem;

class TokenSourceTest : public ::testing::Test {
 protected:
  void write(const std::string& text) { std::ofstream(file_) << text; }

  testing::TempDir dir_;
  const std::string file_ = dir_.file("token");
  std::chrono::steady_clock::time_point now_{};
  TokenSource::Clock clock_ = [this] { return now_; };
};

TEST_F(TokenSourceTest, FixedTokenNeedsNoFile) {
  TokenSource source("abc", "");
  EXPECT_EQ(*source.token(), "abc");
}

TEST_F(TokenSourceTest, RereadsTheFileOnlyAfterTheRefreshInterval) {
  write("first\n");
  TokenSource source("", file_, std::chrono::seconds(60), clock_);
  EXPECT_EQ(*source.token(), "first");
  write("second\n");
  now_ += std::chrono::seconds(59);
  EXPECT_EQ(*source.token(), "first");
  now_ += std::chrono::seconds(1);
  EXPECT_EQ(*source.token(), "second");
}

TEST_F(TokenSourceTest, KeepsTheLastTokenWhileTheFileIsUnreadable) {
  write("first");
  TokenSource source("", file_, std::chrono::seconds(60), clock_);
  EXPECT_EQ(*source.token(), "first");
  fs::remove(file_);
  now_ += std::chrono::seconds(61);
  EXPECT_EQ(*source.token(), "first");
  write("back");
  EXPECT_EQ(*source.token(), "back");  // the failed read did not count as a refresh
}

TEST_F(TokenSourceTest, MissingOrEmptyFileIsAnError) {
  TokenSource missing("", file_, std::chrono::seconds(60), clock_);
  auto token = missing.token();
  ASSERT_FALSE(token);
  EXPECT_NE(token.error().message.find(file_), std::string::npos);
  write("\n");
  TokenSource empty("", file_, std::chrono::seconds(60), clock_);
  ASSERT_FALSE(empty.token());
  EXPECT_NE(empty.token().error().message.find("is empty"), std::string::npos);
}

}  // namespace
}  // namespace tailor::common
