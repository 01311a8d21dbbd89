#include "common/profile/generate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/profile/runtime_needs.h"
#include "tests/common/profile/recorded_calls.h"
#include "tests/common/testing/sample_report.h"

namespace tailor::common {
namespace {

using testing::call;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::recording_of;
using testing::sample_report;
using testing::values;

constexpr uint64_t kCloneThreadFlags = 0x3d0f00;  // what glibc's pthread_create passes
constexpr uint64_t kForkFlags = 0x1200011;        // what glibc's fork passes
constexpr uint64_t kCloneNewUser = 0x10000000;
constexpr uint64_t kLow32 = 0xffffffff;

const SyscallRule* rule_for(const Profile& profile, const std::string& name) {
  for (const auto& rule : profile.syscalls) {
    if (std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end()) return &rule;
  }
  return nullptr;
}

std::vector<std::string> names_allowed_by_name(const Profile& profile) {
  if (profile.syscalls.empty() || !profile.syscalls[0].args.empty()) return {};
  return profile.syscalls[0].names;
}

std::vector<std::string> added_names(const GeneratedProfile& generated) {
  std::vector<std::string> names;
  for (const auto& added : generated.added) names.push_back(added.name);
  return names;
}

std::string reason_for(const GeneratedProfile& generated, const std::string& name) {
  for (const auto& added : generated.added) {
    if (added.name == name) return added.reason;
  }
  return "";
}

GeneratedProfile generate(const std::vector<SyscallEntry>& calls, GenerateOptions options = {}) {
  auto generated = generate_profile(recording_of(calls), options);
  EXPECT_TRUE(generated.ok()) << generated.error().message;
  return generated.ok() ? std::move(*generated) : GeneratedProfile{};
}

TEST(GenerateProfileTest, DeniesWithEpermByDefault) {
  const Profile profile = generate_profile(sample_report()).value().profile;
  EXPECT_EQ(profile.default_action, Action::return_errno);
  EXPECT_EQ(profile.default_errno_ret, 1u);
}

TEST(GenerateProfileTest, AllowsEachRecordedNameOnceInOrder) {
  const Profile profile =
      generate_profile(sample_report(), {.arg_level = ArgLevel::off}).value().profile;
  ASSERT_EQ(profile.syscalls.size(), 1u);
  const SyscallRule& rule = profile.syscalls[0];
  EXPECT_EQ(rule.action, Action::allow);
  EXPECT_FALSE(rule.errno_ret.has_value());
  EXPECT_FALSE(rule.is_conditional());
  // "open" was recorded on both x86_64 and x86; mount only in the runtime's set-up.
  EXPECT_THAT(rule.names, ElementsAre("clock_gettime", "execve", "open", "read", "socket"));
}

TEST(GenerateProfileTest, CoversNativeAndTheCompatArchitecturesUsed) {
  EXPECT_THAT(generate_profile(sample_report()).value().profile.architectures,
              ElementsAre("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"));

  Report native_only = sample_report();
  native_only.syscalls.erase(native_only.syscalls.begin());
  EXPECT_THAT(generate_profile(native_only).value().profile.architectures,
              ElementsAre("SCMP_ARCH_X86_64"));
}

TEST(GenerateProfileTest, AddsArchitecturesOnRequest) {
  const auto generated =
      generate_profile(sample_report(), {.extra_arches = {"aarch64", "SCMP_ARCH_X86", "arm"}});
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  EXPECT_THAT(generated->profile.architectures, ElementsAre("SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                                                            "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"));
  // open does not exist on aarch64; libseccomp skips it there, so it stays in the list.
  EXPECT_THAT(generated->profile.syscalls[0].names, Contains("open"));
}

TEST(GenerateProfileTest, RejectsUnknownRequestedArchitectures) {
  const auto generated = generate_profile(sample_report(), {.extra_arches = {"arm64"}});
  ASSERT_FALSE(generated.ok());
  EXPECT_THAT(generated.error().message, HasSubstr("unknown architecture \"arm64\""));
}

TEST(GenerateProfileTest, WarnsAboutSyscallsWithoutAName) {
  const auto generated = generate_profile(sample_report()).value();
  ASSERT_EQ(generated.warnings.size(), 1u);
  EXPECT_THAT(generated.warnings[0], HasSubstr("x86_64 syscall 540 has no name in libseccomp"));
  EXPECT_THAT(generated.warnings[0], HasSubstr("calls to it will fail with EPERM"));
}

TEST(GenerateProfileTest, NamesSyscallsTheRecorderCouldNot) {
  Report report = sample_report();
  report.syscalls = {{"x86_64", 39, "", Phase::workload, 1, 0, std::nullopt}};
  const auto generated = generate_profile(report).value();
  EXPECT_THAT(generated.profile.syscalls[0].names, ElementsAre("getpid"));
  EXPECT_TRUE(generated.warnings.empty());
}

TEST(GenerateProfileTest, AnEmptyRecordingAllowsNothing) {
  Report report = sample_report();
  report.syscalls.clear();
  const Profile profile = generate_profile(report).value().profile;
  EXPECT_TRUE(profile.syscalls.empty());
  EXPECT_THAT(profile.architectures, ElementsAre("SCMP_ARCH_X86_64"));
}

TEST(GenerateProfileTest, GeneratedProfilesPassStrictDecoding) {
  const Profile profile =
      generate_profile(sample_report(), {.extra_arches = {"aarch64"}}).value().profile;
  const auto decoded = decode_profile(encode_profile(profile));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->profile, profile);
  EXPECT_TRUE(decoded->warnings.empty());
}

TEST(GenerateProfileTest, AllowsTheWorkloadAndTheRuntimeAfterItsFilterButNotItsSetUp) {
  const auto generated = generate(
      {call("read"), call("mount", Phase::runtime_setup), call("write", Phase::runtime_filtered)},
      {.implications = false});
  EXPECT_THAT(names_allowed_by_name(generated.profile), ElementsAre("read", "write"));
  EXPECT_THAT(generated.added, IsEmpty());
}

TEST(GenerateProfileTest, AddsWhatRuncCallsAfterItsFilter) {
  const auto generated =
      generate({call("read"), call("mount", Phase::runtime_setup, std::nullopt, "runc:[1:CHILD]")},
               {.implications = false});
  const auto allowed = names_allowed_by_name(generated.profile);
  for (const auto& name : runtime_post_filter_syscalls(Runtime::runc, false)) {
    EXPECT_THAT(allowed, Contains(name));
  }
  EXPECT_THAT(added_names(generated), Not(Contains("read")));  // recorded, so not added
  EXPECT_EQ(reason_for(generated, "capset"), "runc calls it after installing the filter");
}

TEST(GenerateProfileTest, AddsLessForCrunWithNoNewPrivileges) {
  const auto generated =
      generate({call("read"), call("mount", Phase::runtime_setup, std::nullopt, "crun")},
               {.no_new_privileges = true, .implications = false});
  EXPECT_THAT(added_names(generated), ElementsAre("close", "execve"));
  EXPECT_EQ(reason_for(generated, "execve"), "crun calls it after installing the filter");
}

// A workload recorded on a crun node and a runc node needs both runtimes' calls; runc's
// first-seen calls came second here, so a guess of one runtime would have picked crun alone
// and its profile would crash runc's Go runtime (no futex) between the filter and execve.
TEST(GenerateProfileTest, AddsWhatEachRuntimeThatStartedItCallsAfterItsFilter) {
  const auto generated =
      generate({call("read"), call("mount", Phase::runtime_setup, std::nullopt, "crun"),
                call("pivot_root", Phase::runtime_setup, std::nullopt, "runc:[2:INIT]")},
               {.implications = false});
  EXPECT_EQ(reason_for(generated, "setresuid"), "crun calls it after installing the filter");
  EXPECT_EQ(reason_for(generated, "futex"), "runc calls it after installing the filter");
}

// The aggregator's profiles go to pods on any node: it asks for every runtime's calls.
TEST(GenerateProfileTest, AddsTheRuntimesAskedForWhateverTheRecordingShows) {
  const auto generated =
      generate({call("read")}, {.runtimes = all_runtimes(), .implications = false});
  const auto allowed = names_allowed_by_name(generated.profile);
  for (const Runtime runtime : all_runtimes()) {
    for (const auto& name : runtime_post_filter_syscalls(runtime, false))
      EXPECT_THAT(allowed, Contains(name)) << runtime_name(runtime);
  }
  EXPECT_THAT(generate({call("read")}, {.implications = false}).added, IsEmpty());
}

// The aggregator reads its profiles back as recordings at start-up: what the runtimes need
// implies its own calls (nanosleep: restart_syscall) at once, so a profile regenerated from
// itself is the same and a restart rewrites nothing.
TEST(GenerateProfileTest, AProfileRegeneratedFromItsOwnCallsIsTheSame) {
  const GenerateOptions options{.runtimes = all_runtimes()};
  const auto first = generate({call("read")}, options);
  std::vector<SyscallEntry> calls;
  for (const auto& name : names_allowed_by_name(first.profile)) calls.push_back(call(name));
  EXPECT_EQ(names_allowed_by_name(generate(calls, options).profile),
            names_allowed_by_name(first.profile));
}

TEST(GenerateProfileTest, AllowsWhatIsAskedFor) {
  const auto generated = generate({call("read")}, {.always_allow = {"ptrace", "read"}});
  EXPECT_THAT(names_allowed_by_name(generated.profile), ElementsAre("ptrace", "read"));
  EXPECT_THAT(added_names(generated), ElementsAre("ptrace"));
  EXPECT_EQ(reason_for(generated, "ptrace"), "asked for");
}

TEST(GenerateProfileTest, RejectsAskingForAnUnknownSyscall) {
  const auto generated =
      generate_profile(recording_of({call("read")}), {.always_allow = {"no_such_call"}});
  ASSERT_FALSE(generated.ok());
  EXPECT_THAT(generated.error().message, HasSubstr("cannot allow \"no_such_call\""));
}

TEST(GenerateProfileTest, ThreadsImplyTheSyscallsThreadsMakeByTiming) {
  const auto generated = generate({call("clone", Phase::workload, values(0, {kCloneThreadFlags}))});
  EXPECT_THAT(added_names(generated),
              ElementsAre("futex", "exit", "set_robust_list", "rseq", "mmap", "mprotect", "munmap",
                          "madvise", "sched_yield", "rt_sigprocmask", "restart_syscall"));
  EXPECT_THAT(reason_for(generated, "futex"), HasSubstr("threads were created"));
  // futex, itself implied, is a sleep that a stop resumes through restart_syscall.
  EXPECT_THAT(reason_for(generated, "restart_syscall"), HasSubstr("restart_syscall"));
}

TEST(GenerateProfileTest, AForkImpliesNoThreadSyscalls) {
  EXPECT_THAT(generate({call("clone", Phase::workload, values(0, {kForkFlags}))}).added, IsEmpty());
}

TEST(GenerateProfileTest, UnrecordedCloneFlagsCountAsThreads) {
  const auto generated =
      generate({call("clone3", Phase::workload, values(0, {kForkFlags}, false))});
  EXPECT_THAT(added_names(generated), Contains("futex"));
}

TEST(GenerateProfileTest, HandlersAndSleepsImplyTheirReturns) {
  const auto generated = generate({call("rt_sigaction"), call("nanosleep")});
  EXPECT_THAT(added_names(generated), ElementsAre("rt_sigreturn", "restart_syscall"));
  EXPECT_THAT(reason_for(generated, "rt_sigreturn"), HasSubstr("signal handler"));
}

TEST(GenerateProfileTest, ImpliesNothingWhenAskedNotTo) {
  EXPECT_THAT(generate({call("rt_sigaction"), call("nanosleep")}, {.implications = false}).added,
              IsEmpty());
}

TEST(GenerateProfileTest, ASyscallAddedForTwoReasonsKeepsTheFirst) {
  const auto generated =
      generate({call("clone", Phase::workload, values(0, {kCloneThreadFlags})),
                call("mount", Phase::runtime_setup, std::nullopt, "runc:[2:INIT]")});
  EXPECT_EQ(reason_for(generated, "futex"), "runc calls it after installing the filter");
  EXPECT_EQ(std::count(generated.added.begin(), generated.added.end(),
                       AddedSyscall{"futex", reason_for(generated, "futex")}),
            1);
}

TEST(GenerateProfileTest, StandardAllowsEachRecordedSocketFamilyOnItsLowHalf) {
  const auto generated = generate(
      {call("read"), call("socket", Phase::workload, values(0, {1, 2}))}, {.implications = false});
  const Profile& profile = generated.profile;
  EXPECT_THAT(names_allowed_by_name(profile), ElementsAre("read"));
  ASSERT_EQ(profile.syscalls.size(), 3u);
  EXPECT_EQ(profile.syscalls[1], (SyscallRule{.names = {"socket"},
                                              .action = Action::allow,
                                              .args = {{0, kLow32, 1, ArgOp::masked_equal}}}));
  EXPECT_EQ(profile.syscalls[2].args, (std::vector<ArgRule>{{0, kLow32, 2, ArgOp::masked_equal}}));
}

TEST(GenerateProfileTest, OffAllowsNamesOnly) {
  const auto generated = generate({call("socket", Phase::workload, values(0, {1}))},
                                  {.arg_level = ArgLevel::off, .implications = false});
  ASSERT_EQ(generated.profile.syscalls.size(), 1u);
  EXPECT_THAT(names_allowed_by_name(generated.profile), ElementsAre("socket"));
}

TEST(GenerateProfileTest, StandardForbidsNewNamespacesToClone) {
  const auto generated =
      generate({call("clone", Phase::workload, values(0, {kForkFlags}))}, {.implications = false});
  EXPECT_EQ(rule_for(generated.profile, "clone")->args,
            (std::vector<ArgRule>{{0, 0x7e020080, 0, ArgOp::masked_equal}}));

  const auto creating = generate({call("clone", Phase::workload, values(0, {kCloneNewUser}))},
                                 {.implications = false});
  EXPECT_THAT(names_allowed_by_name(creating.profile), ElementsAre("clone"));
}

TEST(GenerateProfileTest, StandardAnswersClone3WithEnosysAndAllowsCloneInstead) {
  const auto generated =
      generate({call("read"), call("clone3", Phase::workload, values(0, {kForkFlags}))},
               {.implications = false});
  const Profile& profile = generated.profile;
  EXPECT_THAT(names_allowed_by_name(profile), ElementsAre("read"));
  ASSERT_EQ(profile.syscalls.size(), 3u);
  EXPECT_EQ(profile.syscalls[1].names, std::vector<std::string>{"clone"});
  EXPECT_EQ(profile.syscalls[1].args,
            (std::vector<ArgRule>{{0, 0x7e020080, 0, ArgOp::masked_equal}}));
  EXPECT_EQ(profile.syscalls[2],
            (SyscallRule{.names = {"clone3"}, .action = Action::return_errno, .errno_ret = 38}));
  EXPECT_THAT(reason_for(generated, "clone"), HasSubstr("ENOSYS"));
}

TEST(GenerateProfileTest, OnlyCloneRecordedStillAnswersClone3WithEnosys) {
  // Recorded under RuntimeDefault, which answered clone3 with ENOSYS: libc used clone.
  for (const ArgLevel level : {ArgLevel::off, ArgLevel::standard, ArgLevel::strict}) {
    const auto generated =
        generate({call("clone", Phase::workload, values(0, {kCloneThreadFlags}))},
                 {.arg_level = level, .implications = false});
    const SyscallRule* clone3 = rule_for(generated.profile, "clone3");
    ASSERT_NE(clone3, nullptr) << arg_level_name(level);
    EXPECT_EQ(*clone3,
              (SyscallRule{.names = {"clone3"}, .action = Action::return_errno, .errno_ret = 38}));
  }
  const auto no_clone = generate({call("read")}, {.implications = false});
  EXPECT_EQ(rule_for(no_clone.profile, "clone3"), nullptr) << "nothing to fall back to";
}

TEST(GenerateProfileTest, StandardAllowsClone3WhenItCreatedANamespace) {
  const auto generated = generate({call("clone3", Phase::workload, values(0, {kCloneNewUser}))},
                                  {.implications = false});
  EXPECT_THAT(names_allowed_by_name(generated.profile), ElementsAre("clone3"));
  EXPECT_EQ(generated.profile.syscalls.size(), 1u);
}

TEST(GenerateProfileTest, StandardAllowsRecordedNamespaceOperationsAndPersonalities) {
  const auto generated = generate({call("unshare", Phase::workload, values(0, {0x200})),
                                   call("setns", Phase::workload, values(1, {kCloneNewUser})),
                                   call("personality", Phase::workload, values(0, {0xffffffff}))},
                                  {.implications = false});
  const Profile& profile = generated.profile;
  EXPECT_THAT(names_allowed_by_name(profile), IsEmpty());
  EXPECT_EQ(rule_for(profile, "unshare")->args,
            (std::vector<ArgRule>{{0, 0x200, 0, ArgOp::equal}}));
  EXPECT_EQ(rule_for(profile, "setns")->args,
            (std::vector<ArgRule>{{1, kLow32, kCloneNewUser, ArgOp::masked_equal}}));
  EXPECT_EQ(rule_for(profile, "personality")->args,
            (std::vector<ArgRule>{{0, kLow32, 0xffffffff, ArgOp::masked_equal}}));
}

TEST(GenerateProfileTest, StrictAlsoRestrictsIoctlPrctlAndTracing) {
  const std::vector<SyscallEntry> calls = {
      call("ioctl", Phase::workload, values(1, {0x5401, 0xffffffff80045430})),
      call("prctl", Phase::workload, values(0, {15})),
      call("ptrace", Phase::workload, values(0, {16}))};
  const auto standard = generate(calls, {.implications = false});
  EXPECT_THAT(names_allowed_by_name(standard.profile), ElementsAre("ioctl", "prctl", "ptrace"));

  const auto strict = generate(calls, {.arg_level = ArgLevel::strict, .implications = false});
  EXPECT_THAT(names_allowed_by_name(strict.profile), IsEmpty());
  std::vector<std::vector<ArgRule>> conditions;
  for (const auto& rule : strict.profile.syscalls) conditions.push_back(rule.args);
  EXPECT_THAT(conditions,
              ElementsAre(ElementsAre(ArgRule{1, kLow32, 0x5401, ArgOp::masked_equal}),
                          ElementsAre(ArgRule{1, kLow32, 0x80045430, ArgOp::masked_equal}),
                          ElementsAre(ArgRule{0, kLow32, 15, ArgOp::masked_equal}),
                          ElementsAre(ArgRule{0, 16, 0, ArgOp::equal})));
}

TEST(GenerateProfileTest, LeavesIncompleteArgumentsUnrestrictedAndSaysSo) {
  const auto generated =
      generate({call("socket", Phase::workload, values(0, {1}, false))}, {.implications = false});
  EXPECT_THAT(names_allowed_by_name(generated.profile), ElementsAre("socket"));
  EXPECT_EQ(generated.profile.syscalls.size(), 1u);
  ASSERT_EQ(generated.warnings.size(), 1u);
  EXPECT_THAT(generated.warnings[0], HasSubstr("socket: the recorder kept only some"));
}

TEST(GenerateProfileTest, AllowsTheRuntimesOwnCallsByName) {
  const auto generated =
      generate({call("socket", Phase::runtime_filtered, values(0, {1}))}, {.implications = false});
  EXPECT_THAT(names_allowed_by_name(generated.profile), ElementsAre("socket"));
  EXPECT_EQ(generated.profile.syscalls.size(), 1u);
}

TEST(GenerateProfileTest, MergesTheRuntimesValuesWithTheWorkloads) {
  const auto generated = generate({call("socket", Phase::workload, values(0, {2})),
                                   call("socket", Phase::runtime_filtered, values(0, {1}))},
                                  {.implications = false});
  ASSERT_EQ(generated.profile.syscalls.size(), 2u);
  EXPECT_EQ(generated.profile.syscalls[0].args[0].value_two, 1u);
  EXPECT_EQ(generated.profile.syscalls[1].args[0].value_two, 2u);
}

TEST(GenerateProfileTest, OutputDoesNotDependOnReportOrder) {
  std::vector<SyscallEntry> calls = {
      call("read"), call("clone3", Phase::workload, values(0, {kCloneThreadFlags})),
      call("socket", Phase::workload, values(0, {10, 1, 2})), call("rt_sigaction"),
      call("write", Phase::runtime_filtered, std::nullopt, "runc")};
  const std::string first = encode_profile(generate(calls).profile);
  std::reverse(calls.begin(), calls.end());
  EXPECT_EQ(encode_profile(generate(calls).profile), first);
}

}  // namespace
}  // namespace tailor::common
