#include "common/util/file.h"

#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <vector>

#include "tests/common/testing/error_of.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::common {
namespace {

using ::testing::ElementsAre;
using testing::error_of;
using ::testing::HasSubstr;
using testing::TempDir;

std::vector<std::string> entries(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Runs `body` without the power to write where DAC forbids it: as root (the usual case in
// containers and CI) in a child process that drops to nobody. Returns body's result.
bool run_unprivileged(const std::function<bool()>& body) {
  if (geteuid() != 0) return body();
  const pid_t child = fork();
  if (child == 0) {
    const bool dropped = setgroups(0, nullptr) == 0 && setgid(65534) == 0 && setuid(65534) == 0;
    _exit(dropped && body() ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(FileTest, WritesAndReadsBack) {
  TempDir dir;
  const std::string path = dir.file("out.json");
  ASSERT_TRUE(write_file_atomically(path, "first").ok());
  ASSERT_TRUE(write_file_atomically(path, "second, longer").ok());
  EXPECT_EQ(read_file(path).value(), "second, longer");
  EXPECT_THAT(entries(dir.path()), ElementsAre("out.json"));
}

TEST(FileTest, NewFilesFollowTheUmask) {
  TempDir dir;
  const mode_t previous = umask(027);
  const auto status = write_file_atomically(dir.file("f"), "x");
  umask(previous);
  ASSERT_TRUE(status.ok());
  struct stat info {};
  ASSERT_EQ(stat(dir.file("f").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST(FileTest, UnwritableDirectoryKeepsTheOldFileAndLeavesNothing) {
  TempDir dir;
  const std::string path = dir.file("report.json");
  ASSERT_TRUE(write_file_atomically(path, "old").ok());
  // Let nobody into the directory, but not write there.
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all |
                                               std::filesystem::perms::others_read |
                                               std::filesystem::perms::others_exec);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::remove);

  EXPECT_TRUE(run_unprivileged([&] {
    const auto status = write_file_atomically(path, "new");
    return !status.ok() && status.error().message == "cannot write " + path + ": Permission denied";
  }));
  EXPECT_EQ(read_file(path).value(), "old");
  EXPECT_THAT(entries(dir.path()), ElementsAre("report.json"));
}

TEST(FileTest, FailedRenameRemovesTheTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("taken");
  std::filesystem::create_directories(std::filesystem::path(path) / "child");
  EXPECT_EQ(error_of(write_file_atomically(path, "data")),
            "cannot write " + path + ": Is a directory");
  EXPECT_THAT(entries(dir.path()), ElementsAre("taken"));
}

TEST(FileTest, MissingDirectoryNamesThePath) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/out.json");
  EXPECT_EQ(error_of(write_file_atomically(path, "x")),
            "cannot write " + path + ": No such file or directory");
}

TEST(FileTest, ReadingAMissingFileNamesThePath) {
  TempDir dir;
  EXPECT_EQ(error_of(read_file(dir.file("absent.json"))),
            "cannot read " + dir.file("absent.json") + ": No such file or directory");
}

TEST(FileTest, ReadsLargeFilesWhole) {
  TempDir dir;
  const std::string big(300000, 'x');
  ASSERT_TRUE(write_file_atomically(dir.file("big"), big).ok());
  EXPECT_EQ(read_file(dir.file("big")).value(), big);
}

// An endless or huge input is refused at the limit instead of filling memory.
TEST(FileTest, AnEndlessOrHugeFileIsRefusedAtTheLimit) {
  EXPECT_EQ(error_of(read_file("/dev/zero")),
            "cannot read /dev/zero: it is larger than 64 MiB, far more than any file tailor "
            "reads; is it the right file?");
  TempDir dir;
  ASSERT_TRUE(write_file_atomically(dir.file("big"), std::string(5000, 'x')).ok());
  EXPECT_FALSE(read_file(dir.file("big"), 4999).ok());
  EXPECT_TRUE(read_file(dir.file("big"), 5000).ok());
}

}  // namespace
}  // namespace tailor::common
