// `tailor report` as a user runs it: the real binary on a report file, and what the recording
// needs against each runtime default built into it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/report/report.h"
#include "common/syscalls/arch.h"
#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::run_tailor;

class ReportDefaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (common::native_arch() != "x86_64") GTEST_SKIP() << "the sample report is x86_64's";
    common::Report report = common::testing::sample_report();
    // Needs that the defaults treat differently: mount (CAP_SYS_ADMIN for Docker and
    // containerd, allowed by CRI-O's), and a personality none of them allows.
    report.syscalls.push_back(
        {"x86_64", 165, "mount", common::Phase::workload, 1, 5, std::nullopt});
    report.syscalls.push_back({"x86_64", 135, "personality", common::Phase::workload, 1, 6,
                               std::nullopt, common::RecordedArg{0, {{0x1234, 1}}, true}});
    ASSERT_TRUE(common::write_report_file(path_, report).ok());
  }

  common::testing::TempDir dir_;
  const std::string path_ = dir_.file("r.json");
};

// x86_64 needs read, open, socket (families 1 and 2), execve, clock_gettime, mount and
// personality; x86 needs open.
TEST_F(ReportDefaultsTest, SaysWhatEachDefaultAllowsOfWhatTheRecordingNeeds) {
  const auto result = run_tailor({"report", path_});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Against the runtime defaults"));
  EXPECT_THAT(result.out,
              ::testing::ContainsRegex("docker-default \\(moby/profiles cd3bed80\\) on x86_64: "
                                       "allows 5 of the 7 syscalls needed and [0-9]+ unused; "
                                       "denies 1: mount; denies the recorded arguments of "
                                       "personality\n"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex(
                              "containerd-default \\(containerd/containerd 301026e5\\) on x86_64: "
                              "allows 5 of the 7 syscalls needed"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex(
                              "crio-default \\(containers/common f437c58a\\) on x86_64: allows 6 "
                              "of the 7 syscalls needed and [0-9]+ unused; denies the recorded "
                              "arguments of personality\n"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex(
                              "docker-default \\(moby/profiles cd3bed80\\) on x86: allows 1 of "
                              "the 1 syscalls needed"));
}

TEST_F(ReportDefaultsTest, JsonCarriesTheSameAndStillReadsAsAReport) {
  const auto result = run_tailor({"report", path_, "--json"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const json parsed = json::parse(result.out);
  ASSERT_EQ(parsed["against_defaults"].size(), 6u) << "three defaults, two architectures";
  json docker_x86_64;
  for (const auto& fit : parsed["against_defaults"]) {
    if (fit["name"] == "docker-default" && fit["arch"] == "x86_64") docker_x86_64 = fit;
  }
  EXPECT_EQ(docker_x86_64["version"], "moby/profiles cd3bed80");
  EXPECT_EQ(docker_x86_64["needed"], 7);
  EXPECT_EQ(docker_x86_64["allowed"], 5);
  EXPECT_EQ(docker_x86_64["denied"], json{"mount"});
  EXPECT_EQ(docker_x86_64["denied_by_arguments"], json{"personality"});
  EXPECT_TRUE(docker_x86_64["covered"].get<bool>());

  const std::string copy = dir_.file("copy.json");
  ASSERT_TRUE(common::write_file_atomically(copy, result.out).ok());
  const auto profile = run_tailor({"profile", copy, "-o", dir_.file("p.json")});
  EXPECT_EQ(profile.exit_status, 0) << profile.err;
}

}  // namespace
}  // namespace tailor::agent
