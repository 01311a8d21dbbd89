#include "common/util/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/util/clock.h"
#include "common/util/file.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::common {
namespace {

// What log_line wrote to stderr while `write` ran, one string a line.
template <typename Write>
std::vector<std::string> stderr_lines(Write write) {
  testing::TempDir dir;
  const std::string path = dir.file("stderr");
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(file, STDERR_FILENO);
  ::close(file);
  write();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::vector<std::string> lines;
  std::istringstream text(*read_file(path));
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  return lines;
}

TEST(LogLineTest, WritesOneJsonObjectALine) {
  const int64_t before = unix_now_ms();
  const auto lines = stderr_lines([] {
    log_line("info", "serving on port 8443");
    log_line("error", "two\nlines");
  });
  ASSERT_EQ(lines.size(), 2u);
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["msg"], "serving on port 8443");
  EXPECT_GE(first["ts_ms"].get<int64_t>(), before);
  EXPECT_LE(first["ts_ms"].get<int64_t>(), unix_now_ms());
  const auto second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(second["level"], "error");
  EXPECT_EQ(second["msg"], "two\nlines");
}

TEST(LogLineTest, ReplacesBytesThatAreNotUtf8) {
  const auto lines = stderr_lines([] { log_line("warning", "pod \xff\xfe"); });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "pod \xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace tailor::common
