// Profiles that run: record real runc and crun containers, generate the
// profile, run the same containers under it. Real kernel, real runtimes.
#include <gtest/gtest.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "agent/cgroup/cgroup2.h"
#include "common/report/report.h"
#include "tests/support/process.h"
#include "tests/support/recording.h"
#include "tests/support/test_cgroup.h"
#include "tests/support/wait.h"
#include "tests/testbed/oci_container.h"

namespace tailor::e2e {
namespace {

namespace fs = std::filesystem;
using testbed::ContainerSpec;
using testbed::OciContainer;
using testbed::OciRuntime;
using testing::ProcessResult;
using testing::run_process;
using testing::RunningProcess;
using testing::slurp;
using testing::start_process;
using testing::wait_until;

struct Case {
  OciRuntime runtime;
  bool no_new_privileges;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return testbed::runtime_name(info.param.runtime) +
         (info.param.no_new_privileges ? "_nnp" : "_privileged");
}

std::string nr_of(const char* name) { return std::to_string(seccomp_syscall_resolve_name(name)); }

// What runc and crun call while they set a container up; the workload here
// (the test workload's probe and socket modes) makes none of them.
const char* const kRuntimeSetUp[] = {"mount",  "umount2",     "pivot_root", "execveat",
                                     "unlink", "mknodat",     "setns",      "unshare",
                                     "keyctl", "sethostname", "symlinkat",  "memfd_create"};

// Nothing the runtime did before it executed the workload is the workload's:
// no set-up call, and no call whose first caller is anything but the workload
// (runc's stages run as "exe", a bind-mounted copy, "runc:[...]"; crun's as "crun").
void expect_no_runtime_call_in_workload(const common::Report& report) {
  const std::string workload =
      fs::path(TAILOR_TEST_WORKLOAD_STATIC).filename().string().substr(0, 15);
  for (const auto& entry : report.syscalls) {
    if (entry.phase != common::Phase::workload) continue;
    for (const char* setup : kRuntimeSetUp)
      EXPECT_NE(entry.name, setup) << "runtime set-up recorded as the workload's";
    if (entry.first_caller) {
      EXPECT_EQ(entry.first_caller->comm, workload)
          << entry.name << " first made by " << entry.first_caller->comm << " (pid "
          << entry.first_caller->pid << ") is recorded as the workload's";
    }
  }
}

// How long tailor may take to load its program and say it records: a bound, not a wait.
// Under ASan on a loaded 2-core machine it took more than 5 s.
constexpr auto kStartTimeout = std::chrono::seconds(30);

class ContainerProfileTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    if (auto why = testbed::runtime_unavailable(GetParam().runtime)) FAIL() << *why;
    TAILOR_REQUIRE_BTF();
    ASSERT_NO_FATAL_FAILURE(cgroup_.create("/tailor-e2e"));
    dir_ = fs::temp_directory_path() / cgroup_.path().substr(1);  // named as its cgroup
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ContainerSpec spec(std::vector<std::string> args, const std::string& pod) {
    ContainerSpec spec;
    spec.runtime = GetParam().runtime;
    spec.no_new_privileges = GetParam().no_new_privileges;
    args.insert(args.begin(), TAILOR_TEST_WORKLOAD_STATIC);
    spec.args = std::move(args);
    spec.host_binds = {TAILOR_TEST_WORKLOAD_STATIC};
    spec.cgroup_path = pod + "/ctr-" + std::to_string(++containers_);
    return spec;
  }

  // Starts `tailor <args>` on a pod cgroup and returns once it is recording.
  RunningProcess start_watching(std::vector<std::string> args) {
    args.insert(args.begin(), TAILOR_BIN);
    RunningProcess tailor = start_process(args);
    EXPECT_TRUE(wait_until(
        [&] { return slurp(tailor.err_path).find("Ctrl-C to stop") != std::string::npos; },
        kStartTimeout))
        << "tailor did not start";
    return tailor;
  }

  // A container id (64 hex digits) of this test process alone: tailor waits for the first
  // container whose id starts with the given 12 digits, so a fixed id would let a run of the
  // same test in parallel (ctest -j) take the other's container.
  static std::string unique_id(const std::string& prefix) {
    char pid[7];  // pid_max is at most 2^22: 6 hex digits, within the 12 tailor matches
    std::snprintf(pid, sizeof pid, "%06x", static_cast<unsigned>(::getpid()));
    return prefix + pid + std::string(64 - prefix.size() - 6, '0');
  }

  // Starts `tailor record --container ID --wait` and returns once it watches for the container.
  static RunningProcess start_waiting(const std::string& id, const fs::path& report) {
    RunningProcess tailor = start_process(
        {TAILOR_BIN, "record", "--container", id.substr(0, 12), "--wait", "-o", report.string()});
    EXPECT_TRUE(wait_until(
        [&] { return slurp(tailor.err_path).find("waiting for container") != std::string::npos; },
        kStartTimeout))
        << "tailor did not start waiting";
    return tailor;
  }

  static ProcessResult stop(RunningProcess& tailor) {
    ::kill(tailor.pid, SIGINT);
    return tailor.wait();
  }

  int run_container(const ContainerSpec& container) {
    auto result = OciContainer::run(container, dir_.string());
    EXPECT_TRUE(result) << result.error().message;
    if (result && result->exit_status != 0)
      std::cerr << "container: " << result->out << result->err << "\n";
    return result ? result->exit_status : -1;
  }

  // Records every container of `runs` in one pod cgroup and writes the profile.
  fs::path record_and_profile(const std::vector<std::vector<std::string>>& runs,
                              std::vector<std::string> profile_flags = {}) {
    const std::string pod = cgroup_.path() + "/pod-recorded";
    EXPECT_TRUE(cgroup_.cgroups().create(pod));
    const fs::path report = dir_ / "recorded.report.json";
    RunningProcess tailor = start_watching({"record", "--cgroup", pod, "-o", report.string()});
    for (const auto& args : runs) EXPECT_EQ(run_container(spec(args, pod)), 0);
    const ProcessResult recorded = stop(tailor);
    EXPECT_EQ(recorded.exit_status, 0) << recorded.err;
    return profile_of(report, std::move(profile_flags));
  }

  // Checks the recording holds none of the runtime's start-up as the workload's
  // and writes its profile.
  fs::path profile_of(const fs::path& report, std::vector<std::string> profile_flags = {}) {
    auto recorded = common::read_report_file(report.string());
    EXPECT_TRUE(recorded) << recorded.error().message;
    if (recorded) expect_no_runtime_call_in_workload(*recorded);
    const fs::path profile = dir_ / "profile.json";
    std::vector<std::string> argv = {TAILOR_BIN, "profile", report.string(), "-o",
                                     profile.string()};
    argv.insert(argv.end(), profile_flags.begin(), profile_flags.end());
    const ProcessResult generated = run_process(argv);
    EXPECT_EQ(generated.exit_status, 0) << generated.err;
    return profile;
  }

  int run_under(const fs::path& profile, std::vector<std::string> args, bool audit = false) {
    auto seccomp = nlohmann::json::parse(slurp(profile));
    if (audit) {
      seccomp["defaultAction"] = "SCMP_ACT_LOG";
      // crun 1.8 applies defaultErrnoRet even to a log default: calls fail with it.
      seccomp.erase("defaultErrnoRet");
    }
    const std::string pod = cgroup_.path() + "/pod-enforced";
    EXPECT_TRUE(cgroup_.cgroups().create(pod));
    ContainerSpec container = spec(std::move(args), pod);
    container.seccomp = seccomp;
    return run_container(container);
  }

  tailor::testing::TestCgroup cgroup_;
  fs::path dir_;
  int containers_ = 0;
};

TEST_P(ContainerProfileTest, RecordedContainerRunsUnderItsProfileAndAnythingElseIsDenied) {
  const fs::path profile = record_and_profile({{"probe"}});
  EXPECT_EQ(run_under(profile, {"probe"}), 0);
  // One syscall the recording never saw: EPERM, and the rest still runs.
  EXPECT_EQ(run_under(profile, {"probe-then", nr_of("sched_get_priority_min")}), 1);
  // The runtime's own set-up is not in the profile.
  const std::string text = slurp(profile);
  for (const char* setup : {"\"pivot_root\"", "\"mount\"", "\"sethostname\"", "\"umount2\""})
    EXPECT_EQ(text.find(setup), std::string::npos) << setup << " is runtime set-up, not workload";
}

TEST_P(ContainerProfileTest, AuditModeReportsExactlyTheExtraSyscall) {
  const fs::path profile = record_and_profile({{"probe"}});
  const std::string pod = cgroup_.path() + "/pod-enforced";
  ASSERT_TRUE(cgroup_.cgroups().create(pod));
  RunningProcess verify =
      start_watching({"verify", "--profile", profile.string(), "--cgroup", pod});
  // Under the audit filter the extra call is allowed (and logged): it succeeds.
  EXPECT_EQ(run_under(profile, {"probe-then", nr_of("sched_get_priority_min")}, true), 0);
  const ProcessResult verdict = stop(verify);
  EXPECT_EQ(verdict.exit_status, 1) << verdict.err;
  size_t lines = 0;
  for (size_t at = verdict.err.find("would deny "); at != std::string::npos;
       at = verdict.err.find("would deny ", at + 1))
    ++lines;
  EXPECT_EQ(lines, 1u) << verdict.err;
  EXPECT_NE(verdict.err.find("would deny sched_get_priority_min"), std::string::npos)
      << verdict.err;
}

TEST_P(ContainerProfileTest, SocketFamiliesAreRestrictedToTheRecordedOnes) {
  const fs::path profile =
      record_and_profile({{"socket", std::to_string(AF_UNIX)}, {"socket", std::to_string(AF_INET)}},
                         {"--args", "strict"});
  EXPECT_EQ(run_under(profile, {"socket", std::to_string(AF_UNIX)}), 0);
  EXPECT_EQ(run_under(profile, {"socket", std::to_string(AF_INET)}), 0);
  EXPECT_EQ(run_under(profile, {"socket", std::to_string(AF_PACKET)}), 1);
}

TEST_P(ContainerProfileTest, RecordsAContainerFromTheMomentItIsCreated) {
  const std::string id = unique_id("c0ffee");
  const std::string pod = cgroup_.path() + "/pod-waited";
  ASSERT_TRUE(cgroup_.cgroups().create(pod));
  const fs::path report_path = dir_ / "waited.report.json";
  RunningProcess tailor = start_waiting(id, report_path);
  // A container of a few milliseconds: found by its first event, not by a look at the tree.
  ContainerSpec container = spec({"probe"}, pod);
  container.id = id;
  container.cgroup_path = pod + "/" + id;
  EXPECT_EQ(run_container(container), 0);
  const ProcessResult recorded = stop(tailor);
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  auto report = common::read_report_file(report_path.string());
  ASSERT_TRUE(report) << report.error().message;
  // The full path when the cgroup was still there to be named; a container this
  // short may be gone by then, and its cgroup's own name is what is known.
  EXPECT_TRUE(report->info.cgroup_path == pod + "/" + id || report->info.cgroup_path == id)
      << report->info.cgroup_path;
  const auto has = [&](const char* name, common::Phase phase) {
    return std::any_of(report->syscalls.begin(), report->syscalls.end(),
                       [&](const auto& e) { return e.name == name && e.phase == phase; });
  };
  // The runtime's set-up inside the new cgroup is there: recording began before it.
  EXPECT_TRUE(has("pivot_root", common::Phase::runtime_setup));
  EXPECT_TRUE(has("getcpu", common::Phase::workload));
  // None of it is the workload's, and the container runs under the profile.
  const fs::path profile = profile_of(report_path);
  EXPECT_EQ(run_under(profile, {"probe"}), 0);
  const std::string text = slurp(profile);
  for (const char* setup : kRuntimeSetUp)
    EXPECT_EQ(text.find("\"" + std::string(setup) + "\""), std::string::npos)
        << setup << " is runtime set-up";
}

// A node too busy to run the recorder while a short container lives: `tailor record --wait`
// is stopped (SIGSTOP) from before the container starts until after it is gone, and is asked
// to stop (SIGINT) before it runs again. It reads what was recorded before the stop and
// reports the container, instead of "stopped before container ... appeared".
TEST_P(ContainerProfileTest, AStopAfterAContainerTheRecorderHadNoTimeForStillRecordsIt) {
  const std::string id = unique_id("decade");
  const std::string pod = cgroup_.path() + "/pod-busy";
  ASSERT_TRUE(cgroup_.cgroups().create(pod));
  const fs::path report_path = dir_ / "busy.report.json";
  RunningProcess tailor = start_waiting(id, report_path);
  ASSERT_EQ(::kill(tailor.pid, SIGSTOP), 0);
  siginfo_t stopped{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(tailor.pid), &stopped, WSTOPPED | WNOWAIT), 0);
  ContainerSpec container = spec({"probe"}, pod);
  container.id = id;
  container.cgroup_path = pod + "/" + id;
  EXPECT_EQ(run_container(container), 0);
  ASSERT_EQ(::kill(tailor.pid, SIGINT), 0);
  ASSERT_EQ(::kill(tailor.pid, SIGCONT), 0);
  const ProcessResult recorded = tailor.wait();
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  auto report = common::read_report_file(report_path.string());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->info.cgroup_path == pod + "/" + id || report->info.cgroup_path == id)
      << report->info.cgroup_path;
  const auto has = [&](const char* name) {
    return std::any_of(report->syscalls.begin(), report->syscalls.end(),
                       [&](const auto& e) { return e.name == name; });
  };
  EXPECT_TRUE(has("pivot_root"));
  EXPECT_TRUE(has("getcpu"));
}

// A container started by the runtime under an OCI profile that kills a call the workload
// makes: `tailor record` of it reports the denial apart from the calls made.
TEST_P(ContainerProfileTest, ARecordingOfAContainerListsWhatItsProfileKilled) {
  const fs::path profile = record_and_profile({{"probe"}});
  auto seccomp = nlohmann::json::parse(slurp(profile));
  seccomp["syscalls"].push_back(
      {{"names", {"sched_get_priority_min"}}, {"action", "SCMP_ACT_KILL_PROCESS"}});
  const std::string pod = cgroup_.path() + "/pod-denied";
  ASSERT_TRUE(cgroup_.cgroups().create(pod));
  const fs::path report_path = dir_ / "denied.report.json";
  RunningProcess tailor = start_watching({"record", "--cgroup", pod, "-o", report_path.string()});
  ContainerSpec container = spec({"probe-then", nr_of("sched_get_priority_min")}, pod);
  container.seccomp = seccomp;
  auto ran = OciContainer::run(container, dir_.string());
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_NE(ran->exit_status, 0) << "the container should have been killed";
  const ProcessResult recorded = stop(tailor);
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  auto report = common::read_report_file(report_path.string());
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_TRUE(report->denied.has_value());
  ASSERT_EQ(report->denied->calls.size(), 1u);
  const auto& call = report->denied->calls.front();
  EXPECT_EQ(call.name, "sched_get_priority_min");
  EXPECT_EQ(call.action, common::DenialAction::kill_process);
  EXPECT_EQ(call.count, 1u);
  ASSERT_TRUE(call.first_caller.has_value());
  EXPECT_EQ(call.first_caller->comm,
            fs::path(TAILOR_TEST_WORKLOAD_STATIC).filename().string().substr(0, 15));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, ContainerProfileTest,
                         ::testing::Values(Case{OciRuntime::kRunc, true},
                                           Case{OciRuntime::kRunc, false},
                                           Case{OciRuntime::kCrun, true},
                                           Case{OciRuntime::kCrun, false}),
                         case_name);

}  // namespace
}  // namespace tailor::e2e
