// `tailor run` as a user runs it: the real binary enforcing profiles on real commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/report/report.h"
#include "common/syscalls/arch.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using testing::run_tailor;

// Allows everything but the given calls, which fail with EPERM.
json denying(const std::vector<std::string>& names) {
  return {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"syscalls", {{{"names", names}, {"action", "SCMP_ACT_ERRNO"}}}}};
}

class RunCommandTest : public ::testing::Test {
 protected:
  common::testing::TempDir dir_;
};

TEST_F(RunCommandTest, EnforcesOciJsonAndSeccompProfileYamlAndJson) {
  const json oci = denying({"mkdir", "mkdirat"});
  const json object = {{"apiVersion", "security-profiles-operator.x-k8s.io/v1"},
                       {"kind", "SeccompProfile"},
                       {"metadata", {{"name", "no-mkdir"}}},
                       {"spec", oci}};
  const std::string yaml =
      "apiVersion: security-profiles-operator.x-k8s.io/v1\n"
      "kind: SeccompProfile\n"
      "metadata:\n  name: no-mkdir\n"
      "spec:\n  defaultAction: SCMP_ACT_ALLOW\n  syscalls:\n"
      "  - names: [mkdir, mkdirat]\n    action: SCMP_ACT_ERRNO\n";
  for (const auto& profile :
       {dir_.write("oci.json", oci.dump()), dir_.write("spo.json", object.dump(2)),
        dir_.write("spo.yaml", yaml)}) {
    SCOPED_TRACE(profile);
    const std::string made = dir_.file("made-" + fs::path(profile).filename().string());
    const auto denied = run_tailor({"run", "-p", profile, "--", "/bin/mkdir", made});
    EXPECT_EQ(denied.exit_status, 1) << denied.err;
    EXPECT_THAT(denied.err, HasSubstr("Operation not permitted"));
    EXPECT_FALSE(fs::exists(made));
    const auto allowed = run_tailor({"run", "-p", profile, "--", "/bin/sh", "-c", "exit 3"});
    EXPECT_EQ(allowed.exit_status, 3) << allowed.err;
  }
}

TEST_F(RunCommandTest, WhatIsNoProfileIsRefusedNamingTheFormatsItTakes) {
  const std::string report = dir_.file("r.report.json");
  ASSERT_TRUE(common::write_report_file(report, common::testing::sample_report()).ok());
  const std::string expected =
      "expected an OCI seccomp profile (JSON) or a SeccompProfile (YAML or JSON)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {dir_.write("pod.yaml", "apiVersion: v1\nkind: Pod\n"), "not a SeccompProfile"},
      {dir_.write("broken.json", "{\"defaultAction\": "), "invalid JSON"},
      {dir_.write("broken.yaml", "spec: [unclosed\n"), "invalid YAML"},
      {dir_.write("list.json", "{\"names\": [\"read\"]}"), "not a SeccompProfile"},
  };
  for (const auto& [path, message] : cases) {
    SCOPED_TRACE(path);
    const auto result = run_tailor({"run", "-p", path, "--", "/bin/true"});
    expect_one_line_failure(result, 2, message);
    EXPECT_THAT(result.err, HasSubstr(expected));
  }
  expect_one_line_failure(
      run_tailor({"run", "-p", report, "--", "/bin/true"}), 2,
      "a tailor report, not a profile: write its profile with `tailor profile`");
}

TEST_F(RunCommandTest, WarnsBeforeRunningUnderAProfileThatDeniesWhatEveryProcessNeeds) {
  const std::string profile = dir_.write("no-exit.json", denying({"exit", "exit_group"}).dump());
  const auto result = run_tailor({"run", "-p", profile, "--", "/bin/true"});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_THAT(result.err, ::testing::StartsWith("tailor: warning: the profile denies exit, "
                                                "exit_group on "));
  EXPECT_THAT(result.err, HasSubstr("which every process needs"));

  const std::string fine = dir_.write("fine.json", denying({"mkdir"}).dump());
  const auto quiet = run_tailor({"run", "-p", fine, "--", "/bin/true"});
  EXPECT_EQ(quiet.exit_status, 0);
  EXPECT_EQ(quiet.err, "");
}

// A profile that kills, traps or fails the call: `tailor run` enforces it and says at exit what it
// denied.
TEST_F(RunCommandTest, PrintsAtExitTheCallsTheProfileKilledTrappedOrFailed) {
  if (::geteuid() != 0) FAIL() << "needs root to watch for denials; run the suite as root";
  const std::string getppid = std::to_string(seccomp_syscall_resolve_name("getppid"));
  const std::string arch = common::native_arch();
  const auto with_action = [&](const std::string& action) {
    json profile = denying({"getppid"});
    profile["syscalls"][0]["action"] = action;
    return dir_.write(action + ".json", profile.dump());
  };
  const auto trapped = run_tailor({"run", "-p", with_action("SCMP_ACT_TRAP"), "--",
                                   TAILOR_TEST_WORKLOAD, "call", getppid, "2"});
  EXPECT_EQ(trapped.exit_status, 0) << trapped.err;
  EXPECT_THAT(trapped.err, HasSubstr("tailor: denied getppid (" + arch + "): trap, 2 calls\n"));

  const auto killed = run_tailor({"run", "-p", with_action("SCMP_ACT_KILL_PROCESS"), "--",
                                  TAILOR_TEST_WORKLOAD, "call", getppid, "2"});
  EXPECT_EQ(killed.exit_status, 128 + SIGSYS) << killed.err;
  EXPECT_THAT(killed.err,
              HasSubstr("tailor: denied getppid (" + arch + "): kill_process, 1 call\n"));
  EXPECT_THAT(killed.err, HasSubstr("1 syscalls denied by a seccomp filter (watched: "
                                    "kill_process, kill_thread, trap, errno; a denial by log "
                                    "is not seen)"));

  // The profiles Tailor writes deny by ERRNO: the call fails, the process lives on, and the
  // denial is listed all the same.
  const auto refused = run_tailor({"run", "-p", with_action("SCMP_ACT_ERRNO"), "--",
                                   TAILOR_TEST_WORKLOAD, "call", getppid, "3"});
  EXPECT_EQ(refused.exit_status, 0) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("tailor: denied getppid (" + arch + "): errno, 3 calls\n"));

  // Audit mode allows and logs what the profile denies; a filter the command runs under
  // besides is still watched.
  const auto audited =
      run_tailor({"run", "--audit", "-p", with_action("SCMP_ACT_TRAP"), "--",
                  TAILOR_TEST_SECCOMP_LAUNCHER, "trap", "getpriority", TAILOR_TEST_WORKLOAD, "call",
                  std::to_string(seccomp_syscall_resolve_name("getpriority")), "1"});
  EXPECT_EQ(audited.exit_status, 0) << audited.err;
  EXPECT_THAT(audited.err, HasSubstr("tailor: denied getpriority (" + arch + "): trap, 1 call\n"));
}

}  // namespace
}  // namespace tailor::agent
