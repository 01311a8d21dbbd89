#include "common/k8s/client/token_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tailor::common {
namespace {

namespace fs = std::filesystem;

class TokenSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tailor-token-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    file_ = (dir_ / "token").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& text) { std::ofstream(file_) << text; }

  fs::path dir_;
  std::string file_;
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
