// Syscalls that depend on timing: one recording of a multi-threaded workload
// must give a profile under which it never fails, however the threads meet.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/process.h"
#include "tests/support/recording.h"

namespace tailor::e2e {
namespace {

namespace fs = std::filesystem;
using testing::run_process;

TEST(TimingTest, OneRecordingOfAThreadedWorkloadRunsFiftyTimesUnderItsProfile) {
  TAILOR_REQUIRE_RECORDING();
  const fs::path dir = fs::temp_directory_path() / ("tailor-timing-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string report = (dir / "threads.report.json").string();
  const std::string profile = (dir / "threads.profile.json").string();
  auto recorded = run_process(
      {TAILOR_BIN, "record", "-o", report, "--", TAILOR_TEST_WORKLOAD, "busy-threads", "8"});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  auto generated = run_process({TAILOR_BIN, "profile", report, "-o", profile});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  int failures = 0;
  for (int run = 0; run < 50; ++run) {
    auto result = run_process(
        {TAILOR_BIN, "run", "--profile", profile, "--", TAILOR_TEST_WORKLOAD, "busy-threads", "8"});
    if (result.exit_status != 0) {
      ++failures;
      ADD_FAILURE() << "run " << run << " exited " << result.exit_status << ": " << result.err;
    }
  }
  EXPECT_EQ(failures, 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tailor::e2e
