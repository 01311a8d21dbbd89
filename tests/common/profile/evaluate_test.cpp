#include "common/profile/evaluate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/profile/recorded_calls.h"

namespace tailor::common {
namespace {

using testing::call;
using ::testing::IsEmpty;
using testing::recording_of;
using testing::values;

SyscallRule allow_if(std::string name, ArgRule condition) {
  return SyscallRule{.names = {std::move(name)}, .action = Action::allow, .args = {condition}};
}

// Docker's default socket rules, and a few of ours.
Profile sample_profile() {
  return Profile{.default_action = Action::return_errno,
                 .default_errno_ret = 1,
                 .architectures = {*oci_arch_name(native_arch())},
                 .syscalls = {
                     {.names = {"read", "write"}, .action = Action::allow},
                     allow_if("socket", {0, 38, 0, ArgOp::less_than}),
                     allow_if("socket", {0, 39, 0, ArgOp::equal}),
                     allow_if("socket", {0, 40, 0, ArgOp::greater_than}),
                     allow_if("clone", {0, 0x7e020080, 0, ArgOp::masked_equal}),
                     allow_if("setns", {1, 0, 0, ArgOp::equal}),
                     {.names = {"clone3"}, .action = Action::return_errno, .errno_ret = 38},
                     {.names = {"ptrace"},
                      .action = Action::allow,
                      .includes = RuleCondition{.caps = {"CAP_SYS_PTRACE"}}},
                     {.names = {"getpid"}, .action = Action::log},
                     {.names = {"uname"},
                      .action = Action::allow,
                      .includes = RuleCondition{.arches = {"amd64", "arm64", "riscv64", "s390x",
                                                           "ppc64le", "386", "arm", "mips64le"}}},
                     {.names = {"chroot"},
                      .action = Action::allow,
                      .excludes = RuleCondition{.caps = {"CAP_SYS_CHROOT"}}},
                 }};
}

std::optional<ArgValue> arg(uint32_t index, uint64_t value) { return ArgValue{index, value}; }

TEST(EvaluateTest, MobyConditionsApplyAsDockerAppliesThemToADefaultContainer) {
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "uname", std::nullopt), Action::allow)
      << "included for this host's architecture";
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "ptrace", std::nullopt), Action::return_errno)
      << "needs CAP_SYS_PTRACE, which a default container lacks";
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "chroot", std::nullopt), Action::return_errno)
      << "excluded for CAP_SYS_CHROOT, which a default container has";
}

TEST(EvaluateTest, AllowsListedNamesAndDefaultsTheRest) {
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "read", std::nullopt), Action::allow);
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "mount", std::nullopt), Action::return_errno);
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "getpid", std::nullopt), Action::log);
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "clone3", std::nullopt),
            Action::return_errno);
}

TEST(EvaluateTest, ComparesArgumentsAsTheFilterDoes) {
  const Profile profile = sample_profile();
  EXPECT_EQ(evaluate(profile, native_arch(), "socket", arg(0, 16)), Action::allow);
  EXPECT_EQ(evaluate(profile, native_arch(), "socket", arg(0, 38)), Action::return_errno);
  EXPECT_EQ(evaluate(profile, native_arch(), "socket", arg(0, 39)), Action::allow);
  EXPECT_EQ(evaluate(profile, native_arch(), "socket", arg(0, 40)), Action::return_errno);
  EXPECT_EQ(evaluate(profile, native_arch(), "socket", arg(0, 41)), Action::allow);
  EXPECT_EQ(evaluate(profile, native_arch(), "clone", arg(0, 0x1200011)), Action::allow);
  EXPECT_EQ(evaluate(profile, native_arch(), "clone", arg(0, 0x10000011)), Action::return_errno);
}

TEST(EvaluateTest, AConditionOnAnUnknownArgumentDoesNotHold) {
  const Profile profile = sample_profile();
  EXPECT_EQ(evaluate(profile, native_arch(), "setns", std::nullopt), Action::return_errno);
  EXPECT_EQ(evaluate(profile, native_arch(), "setns", arg(0, 0)), Action::return_errno);
  EXPECT_EQ(evaluate(profile, native_arch(), "setns", arg(1, 0)), Action::allow);
}

TEST(EvaluateTest, ARuleWithoutConditionsDecidesAlone) {
  Profile profile = sample_profile();
  profile.syscalls.push_back({.names = {"socket"}, .action = Action::kill_process});
  EXPECT_EQ(evaluate(profile, native_arch(), "socket", arg(0, 16)), Action::kill_process);
}

TEST(EvaluateTest, IgnoresRulesOnlyDockerCanApply) {
  EXPECT_EQ(evaluate(sample_profile(), native_arch(), "ptrace", std::nullopt),
            Action::return_errno);
}

TEST(EvaluateTest, KillsCallsOfArchitecturesTheProfileDoesNotCover) {
  const std::string other = native_arch() == "x86_64" ? "x86" : "arm";
  EXPECT_EQ(evaluate(sample_profile(), other, "read", std::nullopt), Action::kill);
}

TEST(EvaluateTest, NamesTheDeniedSyscallsEveryProcessNeeds) {
  Profile profile = sample_profile();
  EXPECT_THAT(denied_essentials(profile, native_arch()),
              ::testing::ElementsAre("execve", "exit", "exit_group", "rt_sigreturn"))
      << "sigreturn does not exist on x86_64 or aarch64";
  profile.syscalls.push_back({.names = {"execve", "rt_sigreturn"}, .action = Action::allow});
  profile.syscalls.push_back({.names = {"exit_group"}, .action = Action::allow});
  EXPECT_THAT(denied_essentials(profile, native_arch()), IsEmpty())
      << "a process without threads ends with exit_group alone";
  profile.syscalls.pop_back();
  profile.syscalls.push_back(allow_if("exit_group", {0, 0, 0, ArgOp::equal}));
  EXPECT_THAT(denied_essentials(profile, native_arch()), IsEmpty())
      << "exit_group is allowed under a condition a name alone cannot judge";
  const std::string other = native_arch() == "x86_64" ? "x86" : "arm";
  EXPECT_THAT(denied_essentials(profile, other), ::testing::Contains("sigreturn"))
      << "an architecture the profile does not cover kills everything";
}

TEST(EvaluateTest, ListsEachDeniedCallAndArgumentValue) {
  const Report report =
      recording_of({call("read"), call("mount", Phase::runtime_setup), call("ptrace"),
                    call("socket", Phase::workload, values(0, {1, 38})),
                    call("setns", Phase::runtime_filtered, values(1, {0, 8}, false)),
                    call("clone3", Phase::workload, values(0, {0x3d0f00})), call("getpid")});
  const auto denied = denied_entries(sample_profile(), report);
  ASSERT_EQ(denied.size(), 5u);
  EXPECT_EQ(denied[0].name, "ptrace");
  EXPECT_EQ(denied[0].action, Action::return_errno);
  EXPECT_EQ(denied[0].errno_ret, 1u);
  EXPECT_EQ(denied[0].arg, std::nullopt);
  EXPECT_EQ(denied[1].name, "socket");
  EXPECT_EQ(denied[1].arg, arg(0, 38));
  // setns 0 is allowed; 8 is not, nor are the values the recorder did not keep.
  EXPECT_EQ(denied[2].arg, arg(1, 8));
  EXPECT_EQ(denied[2].phase, Phase::runtime_filtered);
  EXPECT_EQ(denied[3].name, "setns");
  EXPECT_EQ(denied[3].arg, std::nullopt);
  EXPECT_EQ(denied[4].name, "clone3");
  EXPECT_EQ(denied[4].errno_ret, 38u);
}

TEST(EvaluateTest, NothingIsDeniedByAProfileAllowingItAll) {
  const Report report = recording_of({call("read"), call("write")});
  EXPECT_THAT(denied_entries(sample_profile(), report), IsEmpty());
}

}  // namespace
}  // namespace tailor::common
