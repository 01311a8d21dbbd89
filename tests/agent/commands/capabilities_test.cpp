// tailor record with fewer privileges than root, as README and docs/cli.md state them: a user
// that is not root, with only the capabilities granted through setpriv(1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "agent/cgroup/cgroup2.h"
#include "common/report/report.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/process.h"
#include "tests/support/recording.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;

constexpr const char* kNobody = "65534";

class ReducedCapabilitiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to start tailor as another user";
    TAILOR_REQUIRE_BTF();
    fs::permissions(dir_.path(), fs::perms::all);  // the report is written as nobody
    // A command's cgroup goes below "/tailor" (target_options.cpp), which whoever records first
    // makes and leaves. Here it is root's, as where root recorded first. Had a test made it as
    // nobody with CAP_DAC_OVERRIDE (in parallel, or in an earlier run), it would be nobody's,
    // and nobody could create cgroups below it without the capability.
    auto cgroups = Cgroup2::detect();
    ASSERT_TRUE(cgroups) << cgroups.error().message;
    const fs::path parent = cgroups->absolute("/tailor");
    fs::create_directories(parent);
    ASSERT_EQ(::chown(parent.c_str(), 0, 0), 0) << parent;
  }
  // tailor as uid 65534 with exactly `caps` ("+bpf,+perfmon"): inheritable, ambient and bounding.
  tailor::testing::ProcessResult run_as_nobody(const std::string& caps,
                                               const std::vector<std::string>& args) {
    const std::string set = "-all," + caps;
    std::vector<std::string> argv = {
        "/usr/bin/setpriv", "--reuid",    kNobody,   "--regid",        kNobody,
        "--clear-groups",   "--inh-caps", set,       "--ambient-caps", set,
        "--bounding-set",   set,          TAILOR_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return tailor::testing::run_process(argv);
  }
  common::testing::TempDir dir_;
  const std::string report_ = dir_.file("true.report.json");
};

TEST_F(ReducedCapabilitiesTest, RecordingACommandNeedsDacOverrideForItsCgroup) {
  const auto refused = run_as_nobody("+bpf,+perfmon", {"record", "-o", report_, "--", "/bin/true"});
  expect_one_line_failure(refused, 1, "tailor: cannot create cgroup ");
  EXPECT_THAT(refused.err, HasSubstr("grant CAP_DAC_OVERRIDE (this process lacks it)"));
  EXPECT_FALSE(fs::exists(report_));

  const auto recorded =
      run_as_nobody("+bpf,+perfmon,+dac_override", {"record", "-o", report_, "--", "/bin/true"});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  auto report = common::read_report_file(report_);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->syscalls.empty());
}

TEST_F(ReducedCapabilitiesTest, TheMissingBpfCapabilityIsNamed) {
  const auto refused = run_as_nobody("+bpf", {"record", "-o", report_, "--", "/bin/true"});
  expect_one_line_failure(refused, 1, "tailor: loading the BPF recorder was refused");
  EXPECT_THAT(refused.err, HasSubstr("this process lacks CAP_PERFMON;"));
}

}  // namespace
}  // namespace tailor::agent
