// `tailor merge` as a user runs it: the real binary on report files in a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/report/report.h"
#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using testing::run_tailor;

class MergeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(common::write_report_file(a_, common::testing::sample_report()).ok());
    common::Report other = common::testing::sample_report();
    other.info.hostname = "build02";
    other.syscalls.push_back({"x86_64", 1, "write", common::Phase::workload, 5, 7, std::nullopt});
    ASSERT_TRUE(common::write_report_file(b_, other).ok());
  }

  common::testing::TempDir dir_;
  const std::string a_ = dir_.file("replica-a.json");
  const std::string b_ = dir_.file("replica-b.json");
  const std::string out_ = dir_.file("merged.json");
};

TEST_F(MergeCommandTest, WritesTheUnionAsAReport) {
  const auto result = run_tailor({"merge", a_, b_, "-o", out_});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("merged 2 reports"));
  const auto merged = common::read_report_file(out_);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->info.target_kind, "merge");
  EXPECT_EQ(merged->info.target, a_ + ", " + b_);
  EXPECT_EQ(merged->info.hostname, "build01, build02");
  EXPECT_EQ(merged->syscalls.size(), common::testing::sample_report().syscalls.size() + 1);
  for (const auto& entry : merged->syscalls) {
    if (entry.name == "read") {
      EXPECT_EQ(entry.count, 80u);
    }
  }
  EXPECT_EQ(merged->recorder_stats.at("events_dropped"), 2u);

  // A merged report makes a profile like any other.
  const auto profile = run_tailor({"profile", out_});
  EXPECT_EQ(profile.exit_status, 0) << profile.err;
}

TEST_F(MergeCommandTest, PrintsToStandardOutputWithoutOutputFile) {
  const auto result = run_tailor({"merge", a_});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_TRUE(common::decode_report(result.out).ok());
}

TEST_F(MergeCommandTest, BadInputFailsInOneLineWithoutAFile) {
  ASSERT_TRUE(common::write_file_atomically(dir_.file("broken.json"), "not json").ok());
  ASSERT_TRUE(
      common::write_file_atomically(dir_.file("profile.json"),
                                    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": []}")
          .ok());
  for (const auto& [input, message] : std::vector<std::pair<std::string, std::string>>{
           {dir_.file("broken.json"), "invalid report"},
           {dir_.file("profile.json"), "invalid report"},
           {dir_.file("missing.json"), "cannot read"}}) {
    SCOPED_TRACE(input);
    expect_one_line_failure(run_tailor({"merge", a_, input, "-o", out_}), 1, message);
    EXPECT_FALSE(fs::exists(out_));
  }
}

}  // namespace
}  // namespace tailor::agent
