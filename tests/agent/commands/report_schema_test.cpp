// docs/report.schema.json against the reports tailor really writes (record, merge) and the
// tests' sample report, with ajv (a JSON Schema 2020-12 validator) under node.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/report/report.h"
#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/process.h"
#include "tests/support/recording.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::run_tailor;

class ReportSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(fs::path(TAILOR_NODE_DIR) / "node_modules/ajv/dist/2020.js"))
        << "ajv is missing from " << TAILOR_NODE_DIR
        << "/node_modules: build the k8s_validate target (needs node and npm)";
    ASSERT_TRUE(common::write_report_file(sample_, common::testing::sample_report()).ok());
  }
  // Runs the validator; its output names each invalid file and what is wrong.
  tailor::testing::ProcessResult validate(const std::vector<std::string>& files) {
    std::vector<std::string> argv = {"/usr/bin/env", "NODE_DIR=" TAILOR_NODE_DIR, "node",
                                     TAILOR_SCHEMA_VALIDATOR, TAILOR_REPORT_SCHEMA};
    argv.insert(argv.end(), files.begin(), files.end());
    return tailor::testing::run_process(argv);
  }
  common::testing::TempDir dir_;
  const std::string sample_ = dir_.file("sample.report.json");
};

TEST_F(ReportSchemaTest, SampleAndMergedReportsConform) {
  const std::string merged = dir_.file("merged.report.json");
  ASSERT_EQ(run_tailor({"merge", sample_, sample_, "-o", merged}).exit_status, 0);
  const auto result = validate({sample_, merged});
  EXPECT_EQ(result.exit_status, 0) << result.out << result.err;
}

TEST_F(ReportSchemaTest, RecordedReportsConform) {
  TAILOR_REQUIRE_RECORDING();
  // A command (with its exit status) and a process's cgroup (without one).
  const std::string command = dir_.file("command.report.json");
  const auto by_command =
      run_tailor({"record", "-o", command, "--", TAILOR_TEST_WORKLOAD, "socket", "2"});
  ASSERT_TRUE(fs::exists(command)) << by_command.err;
  const std::string cgroup = dir_.file("cgroup.report.json");
  const auto by_cgroup = run_tailor({"record", "-o", cgroup, "-d", "0.2", "--cgroup", "/"});
  ASSERT_EQ(by_cgroup.exit_status, 0) << by_cgroup.err;
  const auto result = validate({command, cgroup});
  EXPECT_EQ(result.exit_status, 0) << result.out << result.err;
}

TEST_F(ReportSchemaTest, MistypedAndUnknownValuesAreRejected) {
  auto document = nlohmann::json::parse(*common::read_file(sample_));
  document["syscalls"][1]["count"] = "forty";
  document["recording"]["target_kind"] = "vm";
  const std::string broken = dir_.file("broken.report.json");
  std::ofstream(broken) << document.dump();
  const auto result = validate({sample_, broken});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_THAT(result.out, HasSubstr("/syscalls/1/count must be integer"));
  EXPECT_THAT(result.out, HasSubstr("/recording/target_kind must be equal to one of the allowed"));
  EXPECT_THAT(result.out, ::testing::Not(HasSubstr(sample_ + ":")));
}

}  // namespace
}  // namespace tailor::agent
