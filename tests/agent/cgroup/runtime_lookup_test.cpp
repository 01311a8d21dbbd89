// --container finds real runc and crun containers by the name they were created with, in a
// cgroup of their config's choosing, through the runtime's own state; the library and the CLI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "agent/cgroup/container_lookup.h"
#include "common/report/report.h"
#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/recording.h"
#include "tests/support/wait.h"
#include "tests/testbed/cgroup_layout.h"
#include "tests/testbed/oci_container.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using testbed::OciContainer;
using testbed::OciRuntime;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using testing::run_tailor;

class RuntimeLookupTest : public ::testing::TestWithParam<OciRuntime> {
 protected:
  void SetUp() override {
    if (auto why = testbed::runtime_unavailable(GetParam())) GTEST_SKIP() << *why;
    auto cgroups = Cgroup2::detect();
    ASSERT_TRUE(cgroups) << cgroups.error().message;
    cgroups_.emplace(*cgroups);
    name_ = "web-" + testbed::runtime_name(GetParam()) + "-" + std::to_string(::getpid());
    // Not a hex id and not a container engine's cgroup name: only the runtime knows it.
    parent_ = "/tailor-lookup-" + std::to_string(::getpid());
    cgroup_ = parent_ + "/custom/" + name_;
  }
  void TearDown() override {
    container_.reset();
    for (const auto& mount : testbed::cgroup_mounts())
      (void)testbed::remove_cgroup_tree(mount + parent_);
  }
  void start(std::vector<std::string> args = {"sleep", "3600"}) {
    testbed::ContainerSpec spec;
    spec.runtime = GetParam();
    spec.id = name_;
    spec.cgroup_path = cgroup_;
    spec.args = std::move(args);
    auto started = OciContainer::start(spec, dir_.path().string());
    ASSERT_TRUE(started) << started.error().message;
    container_ = std::move(*started);
  }

  common::testing::TempDir dir_;
  std::optional<Cgroup2> cgroups_;
  std::string name_, parent_, cgroup_;
  std::unique_ptr<OciContainer> container_;
};

TEST_P(RuntimeLookupTest, FindsByNameInTheRuntimesStateWhateverTheCgroupsPath) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::vector<fs::path> roots = {container_->state_root()};
  auto found = find_container_cgroup(*cgroups_, name_, roots);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found, cgroup_);
  // Without the runtime's --root the name means nothing; the error says what to do.
  auto missing = find_container_cgroup(*cgroups_, name_, {});
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("no container '" + name_ + "'"));
  EXPECT_THAT(missing.error().message, HasSubstr("--runtime-root"));
  EXPECT_THAT(missing.error().message, HasSubstr("--pid"));
}

TEST_P(RuntimeLookupTest, AStoppedContainerIsSaidToHaveStopped) {
  ASSERT_NO_FATAL_FAILURE(start({"true"}));
  ASSERT_TRUE(container_->wait_stopped());
  auto found = find_container_cgroup(*cgroups_, name_, {container_->state_root()});
  ASSERT_FALSE(found);
  EXPECT_THAT(found.error().message, HasSubstr("has stopped"));
}

TEST_P(RuntimeLookupTest, RecordFindsItByNameWithRuntimeRoot) {
  TAILOR_REQUIRE_BTF();
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string out = dir_.file("web.report.json");
  const auto recorded = run_tailor({"record", "--container", name_, "--runtime-root",
                                    container_->state_root(), "-d", "0.3", "-o", out});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  auto report = common::read_report_file(out);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->info.target_kind, "container");
  EXPECT_EQ(report->info.cgroup_path, cgroup_);

  expect_one_line_failure(run_tailor({"record", "--container", name_, "-d", "0.3", "-o", out}), 1,
                          "tailor: no container '" + name_ + "'");
}

// `record --wait` for a container that is already running and makes no call, by id (its cgroup's
// name) and by name (its runtime's state, under --runtime-root): no event announces it.
TEST_P(RuntimeLookupTest, WaitRecordsARunningContainerThatMakesNoCallByIdAndByName) {
  TAILOR_REQUIRE_BTF();
  // This process's own id: the runc and crun cases run side by side (ctest -j).
  char pid[9];
  std::snprintf(pid, sizeof pid, "%08x", static_cast<unsigned>(::getpid()));
  const std::string id = "5ca1" + std::string(pid) + std::string(52, '0');
  cgroup_ = parent_ + "/pod/" + id;
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string out = dir_.file("idle.report.json");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--container", id.substr(0, 12)},
           {"--container", name_, "--runtime-root", container_->state_root()}}) {
    fs::remove(out);
    std::vector<std::string> argv = {"--wait", "-d", "0.3", "-o", out};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.begin(), {"/usr/bin/timeout", "60", TAILOR_BIN, "record"});
    const auto recorded = tailor::testing::run_process(argv);
    ASSERT_EQ(recorded.exit_status, 0) << args[1] << ": " << recorded.err;
    auto report = common::read_report_file(out);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->info.cgroup_path, cgroup_) << args[1];
  }
}

// `record --wait` for a container named in a runtime's state that appears while it waits: found
// by reading that state (the name is in no cgroup's name, and no event carries it).
TEST_P(RuntimeLookupTest, WaitFindsAContainerByNameThatAppearsWhileItWaits) {
  TAILOR_REQUIRE_BTF();
  const std::string out = dir_.file("later.report.json");
  // Where start() will have the runtime keep its state (OciContainer): not there yet.
  const std::string state_root =
      dir_.path().string() + "/" + testbed::runtime_name(GetParam()) + "-state";
  tailor::testing::RunningProcess tailor = tailor::testing::start_process(
      {"/usr/bin/timeout", "60", TAILOR_BIN, "record", "--wait", "-d", "0.3", "-o", out,
       "--container", name_, "--runtime-root", state_root});
  ASSERT_TRUE(tailor::testing::wait_until(
      [&] {
        const auto err = common::read_file(tailor.err_path);
        return err && err->find("waiting for container") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << "tailor did not start waiting";
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_EQ(container_->state_root(), state_root);
  const auto recorded = tailor.wait();
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  auto report = common::read_report_file(out);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->info.cgroup_path, cgroup_);
}

INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeLookupTest,
                         ::testing::Values(OciRuntime::kRunc, OciRuntime::kCrun),
                         [](const auto& info) { return testbed::runtime_name(info.param); });

}  // namespace
}  // namespace tailor::agent
