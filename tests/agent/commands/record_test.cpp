// `tailor record` as a user runs it: the real binary, the real kernel, real cgroups.
#include <gtest/gtest.h>
#include <seccomp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/spawn.h"
#include "common/report/report.h"
#include "tests/agent/commands/cli.h"
#include "tests/support/process.h"
#include "tests/support/recording.h"
#include "tests/support/test_cgroup.h"
#include "tests/support/wait.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using tailor::testing::run_process;
using tailor::testing::slurp;
using tailor::testing::start_process;
using tailor::testing::wait_until;
namespace testing_cli = tailor::agent::testing;

constexpr const char* kContainerId =
    "3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e";

class RecordCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TAILOR_REQUIRE_RECORDING();
    dir_ = fs::temp_directory_path() / ("tailor-record-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_NO_FATAL_FAILURE(cgroup_.create("/tailor-cli-test"));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Starts the workload looping its probe in a cgroup of its own.
  pid_t start_probe_loop(const std::string& cgroup_path) {
    EXPECT_TRUE(cgroup_.cgroups().create(cgroup_path));
    auto pid = spawn_in_cgroup(cgroup_.cgroups().absolute(cgroup_path), TAILOR_TEST_WORKLOAD,
                               {TAILOR_TEST_WORKLOAD, "probe-loop"});
    EXPECT_TRUE(pid) << pid.error().message;
    return pid ? *pid : -1;
  }

  static std::set<std::string> names(const common::Report& report) {
    std::set<std::string> out;
    for (const auto& entry : report.syscalls) out.insert(entry.name);
    return out;
  }

  common::Report read_report(const fs::path& path) {
    auto report = common::read_report_file(path.string());
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : common::Report{};
  }

  // Records the workload calling getppid `times` times under a filter that a launcher (not
  // tailor) installs to deny getppid with `action` ("trap", "errno"); the report, written to
  // `out`, must list that one call as denied, and not among the calls made (they never ran).
  common::Report record_denied_getppid(const fs::path& out, const std::string& action,
                                       common::DenialAction denial, uint64_t times) {
    const std::string getppid = std::to_string(seccomp_syscall_resolve_name("getppid"));
    auto result = run_process({TAILOR_BIN, "record", "-o", out.string(), "--",
                               TAILOR_TEST_SECCOMP_LAUNCHER, action, "getppid",
                               TAILOR_TEST_WORKLOAD, "call", getppid, std::to_string(times)});
    EXPECT_EQ(result.exit_status, 0) << result.err;
    auto report = read_report(out);
    EXPECT_TRUE(report.denied.has_value());
    if (!report.denied || report.denied->calls.size() != 1) {
      ADD_FAILURE() << "expected one denied call";
      return report;
    }
    const auto& call = report.denied->calls.front();
    EXPECT_EQ(call.name, "getppid");
    EXPECT_EQ(call.arch, report.info.native_arch);
    EXPECT_EQ(call.action, denial);
    EXPECT_EQ(call.count, times);
    EXPECT_TRUE(call.first_caller && call.first_caller->comm == "tailor_test_wor");
    EXPECT_FALSE(names(report).contains("getppid"));
    return report;
  }

  tailor::testing::TestCgroup cgroup_;
  fs::path dir_;
};

TEST_F(RecordCommandTest, RecordsACommandAndMirrorsItsExitStatus) {
  const fs::path out = dir_ / "exit.report.json";
  auto result = run_process(
      {TAILOR_BIN, "record", "-o", out.string(), "--", TAILOR_TEST_WORKLOAD, "exit", "7"});
  EXPECT_EQ(result.exit_status, 7) << result.err;
  const auto report = read_report(out);
  EXPECT_EQ(report.info.target_kind, "command");
  EXPECT_EQ(report.info.exit_status, 7);
  EXPECT_TRUE(names(report).contains("execve"));
  EXPECT_TRUE(names(report).contains("exit_group"));
}

TEST_F(RecordCommandTest, ReportHoldsTheProbesSyscallsWithCountsAndFirstCallers) {
  const fs::path out = dir_ / "probe.report.json";
  auto result =
      run_process({TAILOR_BIN, "record", "-o", out.string(), "--", TAILOR_TEST_WORKLOAD, "probe"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const auto report = read_report(out);
  for (const char* name : {"getcpu", "sysinfo", "getpriority", "capget", "sched_rr_get_interval"})
    EXPECT_TRUE(names(report).contains(name)) << name;
  for (const auto& entry : report.syscalls) {
    EXPECT_GE(entry.count, 1u) << entry.name;
    EXPECT_EQ(entry.arch, report.info.native_arch);
  }
  const auto getcpu = std::find_if(report.syscalls.begin(), report.syscalls.end(),
                                   [](const auto& e) { return e.name == "getcpu"; });
  ASSERT_NE(getcpu, report.syscalls.end());
  ASSERT_TRUE(getcpu->first_caller.has_value());
  EXPECT_EQ(getcpu->first_caller->comm, "tailor_test_wor");
  EXPECT_EQ(report.recorder_stats.at("events_dropped"), 0u);
}

TEST_F(RecordCommandTest, CommandNotFoundExits127WithOneLineAndNoReport) {
  const fs::path out = dir_ / "missing.report.json";
  auto result =
      run_process({TAILOR_BIN, "record", "-o", out.string(), "--", "no-such-command-tailor"});
  EXPECT_EQ(result.exit_status, 127);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("not found"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(RecordCommandTest, CtrlCWhileRecordingACgroupStillWritesTheReport) {
  const std::string cg = cgroup_.path() + "/running";
  const pid_t workload = start_probe_loop(cg);
  const fs::path out = dir_ / "interrupted.report.json";
  auto tailor =
      start_process({TAILOR_BIN, "record", "--cgroup", cg, "--trace", "-o", out.string()});
  // Ready once the trace shows the probe's getcpu: interrupted then, it must be in the report.
  (void)wait_until([&] { return slurp(tailor.err_path).find("getcpu") != std::string::npos; },
                   std::chrono::seconds(30), std::chrono::milliseconds(50));
  ::kill(tailor.pid, SIGINT);
  auto result = tailor.wait();
  ::kill(workload, SIGKILL);
  wait_for_exit(workload);
  EXPECT_EQ(result.exit_status, 0) << result.err;
  const auto report = read_report(out);
  EXPECT_EQ(report.info.target_kind, "cgroup");
  EXPECT_TRUE(names(report).contains("getcpu"));
}

TEST_F(RecordCommandTest, RecordsTheCgroupOfAPid) {
  const pid_t workload = start_probe_loop(cgroup_.path() + "/bypid");
  const fs::path out = dir_ / "pid.report.json";
  auto result = run_process({TAILOR_BIN, "record", "--pid", std::to_string(workload), "--duration",
                             "0.5", "-o", out.string()});
  ::kill(workload, SIGKILL);
  wait_for_exit(workload);
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const auto report = read_report(out);
  EXPECT_EQ(report.info.target_kind, "pid");
  EXPECT_EQ(report.info.cgroup_path, cgroup_.path() + "/bypid");
  EXPECT_TRUE(names(report).contains("sched_getscheduler"));
}

TEST_F(RecordCommandTest, RecordsAContainerFoundByAnIdPrefix) {
  const std::string cg = cgroup_.path() +
                         "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-" +
                         std::string(kContainerId) + ".scope";
  const pid_t workload = start_probe_loop(cg);
  const fs::path out = dir_ / "container.report.json";
  auto result =
      run_process({TAILOR_BIN, "record", "--container", std::string(kContainerId).substr(0, 12),
                   "--duration", "0.5", "-o", out.string()});
  ::kill(workload, SIGKILL);
  wait_for_exit(workload);
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const auto report = read_report(out);
  EXPECT_EQ(report.info.cgroup_path, cg);
  EXPECT_TRUE(names(report).contains("capget"));
}

TEST_F(RecordCommandTest, TargetsThatDoNotExistGetOneActionableLine) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--cgroup", "/no/such/cgroup"},
        {"--pid", "999999999"},
        {"--container", "deadbeefdeadbeef"},
        {"--container", "xyz"}}) {
    std::vector<std::string> argv = {TAILOR_BIN, "record", "--duration", "1"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = run_process(argv);
    EXPECT_EQ(result.exit_status, 1) << args[0] << " " << args[1];
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.err.rfind("tailor: ", 0), 0u) << result.err;
  }
}

TEST_F(RecordCommandTest, WithoutPrivilegesItSaysWhatItNeeds) {
  if (!fs::exists("/usr/bin/setpriv")) FAIL() << "needs setpriv (util-linux) to drop privileges";
  auto result = run_process({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             "--inh-caps=-all", "--bounding-set=-all", TAILOR_BIN, "record", "-o",
                             "/tmp/never-written.json", "--", "/bin/true"});
  EXPECT_EQ(result.exit_status, 1);
  EXPECT_NE(result.err.find("run as root"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_FALSE(fs::exists("/tmp/never-written.json"));
}

TEST_F(RecordCommandTest, AnUnwritableOutputFailsBeforeTheWorkloadRuns) {
  const fs::path out = dir_ / "missing-dir" / "x.report.json";
  const fs::path ran = dir_ / "ran";
  auto result = run_process(
      {TAILOR_BIN, "record", "-o", out.string(), "--", "/bin/sh", "-c", "touch " + ran.string()});
  testing_cli::expect_one_line_failure(result, 1, "cannot write " + out.string());
  EXPECT_FALSE(fs::exists(ran)) << "the workload ran although its recording could not be kept";
  EXPECT_FALSE(fs::exists(out.parent_path()));
}

TEST_F(RecordCommandTest, AWriteThatFailsAtTheEndSavesTheReportInTmpdir) {
  // The workload itself removes the directory the report was to go to.
  const fs::path target_dir = dir_ / "vanishing";
  const fs::path tmpdir = dir_ / "tmp";
  fs::create_directories(target_dir);
  fs::create_directories(tmpdir);
  const fs::path out = target_dir / "x.report.json";
  auto result = testing_cli::run_tailor(
      {"record", "-o", out.string(), "--", "/bin/sh", "-c", "rm -rf " + target_dir.string()},
      {"TMPDIR=" + tmpdir.string()});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  std::vector<fs::path> saved;
  for (const auto& entry : fs::directory_iterator(tmpdir)) saved.push_back(entry.path());
  ASSERT_EQ(saved.size(), 1u) << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("cannot write " + out.string()));
  EXPECT_THAT(result.err, ::testing::HasSubstr("the report was saved to " + saved[0].string()));
  EXPECT_TRUE(names(read_report(saved[0])).contains("unlinkat"));
}

TEST_F(RecordCommandTest, WithADurationWhatTheCommandLeavesRunningIsRecorded) {
  const fs::path marker = dir_ / "marker";
  const fs::path out = dir_ / "daemon.report.json";
  const auto started = std::chrono::steady_clock::now();
  auto result = run_process({TAILOR_BIN, "record", "-d", "20", "-o", out.string(), "--", "/bin/sh",
                             "-c", "(sleep 0.5; touch " + marker.string() + ") &"});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_TRUE(fs::exists(marker)) << "the background job was stopped before it finished";
  const auto report = read_report(out);
  EXPECT_TRUE(names(report).contains("utimensat")) << "touch's call is missing";
  EXPECT_GE(report.info.duration_ms, 500u);
  // Recording ends when the last process exits, not when the 20 s are up.
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_THAT(result.err, ::testing::Not(::testing::HasSubstr("stopped")));
}

TEST_F(RecordCommandTest, WithADurationWhatIsStillRunningAtTheEndIsStopped) {
  const fs::path out = dir_ / "daemon.report.json";
  const auto started = std::chrono::steady_clock::now();
  auto result = run_process(
      {TAILOR_BIN, "record", "-d", "0.5", "-o", out.string(), "--", "/bin/sh", "-c", "sleep 60 &"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err,
              ::testing::HasSubstr("stopped 1 process still running when the recording ended"));
  EXPECT_GE(read_report(out).info.duration_ms, 500u);
}

TEST_F(RecordCommandTest, WithoutADurationItSaysWhatTheCommandLeftRunningWasStopped) {
  const fs::path out = dir_ / "daemon.report.json";
  const auto started = std::chrono::steady_clock::now();
  auto result = run_process(
      {TAILOR_BIN, "record", "-o", out.string(), "--", "/bin/sh", "-c", "sleep 60 & sleep 60 &"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr("the command exited and left 2 processes running"));
  EXPECT_THAT(result.err, ::testing::HasSubstr("-d SECONDS"));
}

TEST_F(RecordCommandTest, KeepsTheCommandAsAListAndShowsItShellQuoted) {
  const fs::path out = dir_ / "quoted.report.json";
  const std::vector<std::string> argv = {"/bin/sh", "-c", "true & wait", "it's"};
  std::vector<std::string> args = {TAILOR_BIN, "record", "-o", out.string(), "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  ASSERT_EQ(run_process(args).exit_status, 0);
  const auto report = read_report(out);
  EXPECT_EQ(report.info.argv, argv);
  EXPECT_EQ(report.info.target, "/bin/sh -c 'true & wait' 'it'\\''s'");
  const auto shown = run_process({TAILOR_BIN, "report", out.string()});
  EXPECT_THAT(shown.out, ::testing::StartsWith("command /bin/sh -c 'true & wait' 'it'\\''s' on "));
}

TEST_F(RecordCommandTest, AnIdleCgroupIsWarnedAboutAndVerifyingItFails) {
  const std::string idle = cgroup_.path() + "/idle";
  ASSERT_TRUE(cgroup_.cgroups().create(idle));
  const fs::path out = dir_ / "idle.report.json";
  auto recorded =
      run_process({TAILOR_BIN, "record", "--cgroup", idle, "-d", "0.3", "-o", out.string()});
  EXPECT_EQ(recorded.exit_status, 0) << recorded.err;
  EXPECT_THAT(recorded.err, ::testing::HasSubstr("WARNING: nothing was recorded"));

  const auto profile =
      testing_cli::run_tailor({"profile", out.string(), "-o", (dir_ / "p.json").string()});
  testing_cli::expect_one_line_failure(profile, 1, "records no syscalls");
  const auto allowed = testing_cli::run_tailor(
      {"profile", out.string(), "--allow-empty", "-o", (dir_ / "p.json").string()});
  ASSERT_EQ(allowed.exit_status, 0) << allowed.err;

  const std::vector<std::string> verify = {TAILOR_BIN, "verify", "-p", (dir_ / "p.json").string(),
                                           "--cgroup", idle,     "-d", "0.3"};
  auto refused = run_process(verify);
  EXPECT_EQ(refused.exit_status, 1) << refused.err;
  EXPECT_THAT(refused.err, ::testing::HasSubstr("nothing was recorded in " + idle));
  EXPECT_THAT(refused.err, ::testing::HasSubstr("--allow-empty"));
  auto with_flag = verify;
  with_flag.push_back("--allow-empty");
  auto passed = run_process(with_flag);
  EXPECT_EQ(passed.exit_status, 0) << passed.err;
  EXPECT_THAT(passed.err, ::testing::HasSubstr("WARNING: nothing was recorded"));
}

// Tailor's own child installs the audit filter: its prctl and seccomp calls are not the
// workload's, so verify checks what `tailor record` saw, and reads a SeccompProfile in YAML.
TEST_F(RecordCommandTest, VerifyChecksWhatRecordSawUnderAYamlSeccompProfile) {
  const fs::path recorded = dir_ / "probe.report.json";
  ASSERT_EQ(run_process({TAILOR_BIN, "record", "-o", recorded.string(), "--", TAILOR_TEST_WORKLOAD,
                         "probe"})
                .exit_status,
            0);
  const fs::path profile = dir_ / "probe.yaml";
  ASSERT_EQ(testing_cli::run_tailor(
                {"profile", recorded.string(), "--format", "spo", "-o", profile.string()})
                .exit_status,
            0);
  const fs::path audited = dir_ / "audited.report.json";
  auto result = run_process({TAILOR_BIN, "verify", "-p", profile.string(), "--report",
                             audited.string(), "--", TAILOR_TEST_WORKLOAD, "probe"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  const auto record_report = read_report(recorded);
  const auto audit_report = read_report(audited);
  EXPECT_EQ(names(audit_report), names(record_report));
  EXPECT_THAT(result.err, ::testing::HasSubstr(std::to_string(names(record_report).size()) +
                                               " recorded syscalls checked, 0 would be denied"));
  for (const auto& entry : audit_report.syscalls) {
    EXPECT_FALSE(entry.first_caller && entry.first_caller->comm == "tailor" &&
                 entry.phase == common::Phase::runtime_setup)
        << entry.name << " is tailor's own set-up";
  }
}

// The action of the profiles Tailor writes: the denied call fails with EPERM and the process
// goes on; the report lists it all the same, and says ERRNO was watched.
TEST_F(RecordCommandTest, ReportListsCallsAFilterDeniedWithErrno) {
  const auto report = record_denied_getppid(dir_ / "errno.report.json", "errno",
                                            common::DenialAction::errno_ret, 4);
  ASSERT_TRUE(report.denied.has_value());
  const auto& watched = report.denied->watched;
  EXPECT_NE(std::find(watched.begin(), watched.end(), common::DenialAction::errno_ret),
            watched.end());
}

// A program already under a seccomp filter that a launcher (not tailor) installed: the report
// lists what the filter denied apart from the calls made, and `tailor report` shows it first.
TEST_F(RecordCommandTest, ReportListsWhatAFilterInstalledByAnotherLauncherDenied) {
  const fs::path out = dir_ / "denied.report.json";
  record_denied_getppid(out, "trap", common::DenialAction::trap, 3);
  if (HasFailure()) return;

  auto shown = run_process({TAILOR_BIN, "report", out.string()});
  ASSERT_EQ(shown.exit_status, 0) << shown.err;
  EXPECT_EQ(shown.out.rfind("DENIED by a seccomp filter (1 syscall)\n", 0), 0u) << shown.out;
  EXPECT_NE(shown.out.find("getppid  trap"), std::string::npos) << shown.out;
  auto json_shown = run_process({TAILOR_BIN, "report", "--json", out.string()});
  ASSERT_EQ(json_shown.exit_status, 0) << json_shown.err;
  EXPECT_LT(json_shown.out.find("\"denied\""), json_shown.out.find("\"syscalls\""));
}

}  // namespace
}  // namespace tailor::agent
