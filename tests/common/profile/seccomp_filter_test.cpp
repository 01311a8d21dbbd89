#include "common/profile/seccomp_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>

#include "common/profile/evaluate.h"
#include "common/profile/generate.h"
#include "common/util/file.h"
#include "tests/common/profile/filtered_child.h"
#include "tests/common/profile/recorded_calls.h"

namespace tailor::common {
namespace {

using testing::call;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::RawCall;
using testing::recording_of;
using testing::run_filtered;
using testing::values;

constexpr uint64_t kForkFlags = SIGCHLD;

std::vector<sock_filter> program_of(const Profile& profile) {
  auto filter = SeccompFilter::build(profile);
  EXPECT_TRUE(filter.ok()) << filter.error().message;
  if (!filter.ok()) return {};
  auto program = filter->bpf_program();
  EXPECT_TRUE(program.ok()) << program.error().message;
  return program.ok() ? *program : std::vector<sock_filter>{};
}

bool ends_in_return(const std::vector<sock_filter>& program) {
  return !program.empty() && BPF_CLASS(program.back().code) == BPF_RET;
}

Profile allowing(std::vector<std::string> names, std::vector<std::string> arches = {}) {
  return Profile{.default_errno_ret = 1,
                 .architectures = std::move(arches),
                 .syscalls = {SyscallRule{.names = std::move(names), .action = Action::allow}}};
}

TEST(SeccompFilterTest, BuildsEveryGeneratedProfile) {
  Report report = testing::sample_report();
  report.syscalls.push_back(call("clone3", Phase::workload, values(0, {0x3d0f00})));
  report.syscalls.push_back(
      call("ioctl", Phase::workload, values(1, {0x5401, 0xffffffff80045430})));
  for (ArgLevel level : {ArgLevel::off, ArgLevel::standard, ArgLevel::strict}) {
    const auto generated =
        generate_profile(report, {.extra_arches = {"aarch64", "arm"}, .arg_level = level});
    ASSERT_TRUE(generated.ok()) << generated.error().message;
    EXPECT_TRUE(ends_in_return(program_of(generated->profile))) << arg_level_name(level);
  }
}

// Docker's default names syscalls newer than the linked libseccomp; runc leaves those out.
Profile without_unknown_names(Profile profile) {
  for (auto& rule : profile.syscalls) {
    std::erase_if(rule.names, [](const std::string& name) {
      const auto arches = known_arches();
      return std::none_of(arches.begin(), arches.end(), [&](const std::string& arch) {
        const auto nr = syscall_number(arch, name);
        return nr.ok() && nr->has_value();
      });
    });
  }
  return profile;
}

TEST(SeccompFilterTest, BuildsDockersDefaultProfile) {
  const auto text = read_file(std::string(TAILOR_REFERENCE_DIR) + "/profiles/moby-default.json");
  ASSERT_TRUE(text.ok()) << text.error().message;
  const auto decoded = decode_profile(*text, {.allow_unknown_names = true});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(ends_in_return(program_of(without_unknown_names(decoded->profile))));
  EXPECT_TRUE(SeccompFilter::build(without_unknown_names(decoded->profile), Action::log).ok());
}

TEST(SeccompFilterTest, RejectsNamesLibseccompDoesNotKnow) {
  const auto filter = SeccompFilter::build(allowing({"read", "no_such_call"}));
  ASSERT_FALSE(filter.ok());
  EXPECT_THAT(filter.error().message, HasSubstr("syscalls[0] (no_such_call)"));
}

TEST(SeccompFilterTest, SkipsANameOnArchitecturesWithoutIt) {
  EXPECT_TRUE(ends_in_return(program_of(allowing({"open", "read"}, {"SCMP_ARCH_AARCH64"}))));
  // socket is multiplexed through socketcall on x86, which libseccomp handles.
  EXPECT_TRUE(ends_in_return(program_of(
      allowing({"socket"}, {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"}))));
}

TEST(SeccompFilterTest, SkipsRulesThatOnlyDockerOrNobodyCanApply) {
  Profile profile = allowing({"read"});
  profile.syscalls.push_back(
      {.names = {"write"}, .action = Action::return_errno, .errno_ret = 1});  // the default
  profile.syscalls.push_back({.names = {"clone"},
                              .action = Action::allow,
                              .excludes = RuleCondition{.caps = {"CAP_SYS_ADMIN"}}});
  EXPECT_TRUE(ends_in_return(program_of(profile)));
}

TEST(SeccompFilterTest, RejectsUnknownArchitectures) {
  const auto filter = SeccompFilter::build(allowing({"read"}, {"SCMP_ARCH_PDP11"}));
  ASSERT_FALSE(filter.ok());
  EXPECT_THAT(filter.error().message, HasSubstr("SCMP_ARCH_PDP11"));
}

TEST(SeccompFilterTest, CoversWhatRuncWouldCover) {
  EXPECT_THAT(covered_arches(allowing({}, {"SCMP_ARCH_AARCH64"})).value(), ElementsAre("aarch64"));
  EXPECT_THAT(covered_arches(allowing({})).value(), ElementsAre(native_arch()));
  Profile mapped = allowing({});
  mapped.arch_map = {{"SCMP_ARCH_PDP11", {}},
                     {*oci_arch_name(native_arch()), {"SCMP_ARCH_PPC", "SCMP_ARCH_NEWER"}}};
  EXPECT_THAT(covered_arches(mapped).value(), ElementsAre(native_arch(), "ppc"));
}

// Raw calls made under a loaded filter; each either runs or is answered by the filter.
struct KernelCase {
  std::string name;
  std::optional<ArgValue> arg;
  RawCall call;
  int expected;  // 0 or errno
};

const std::vector<KernelCase>& kernel_cases() {
  static const std::vector<KernelCase> cases = {
      {"socket", ArgValue{0, AF_UNIX}, {SYS_socket, {AF_UNIX, SOCK_STREAM, 0}}, 0},
      {"socket", ArgValue{0, AF_PACKET}, {SYS_socket, {AF_PACKET, SOCK_RAW, 0}}, EPERM},
      // The kernel reads an int's low half; so does the rule.
      {"socket",
       ArgValue{0, 0xffffffff00000000 | AF_UNIX},
       {SYS_socket, {0xffffffff00000000 | AF_UNIX, SOCK_STREAM, 0}},
       0},
      // Without the filter, a size of 0 would fail with EINVAL.
      {"clone3", std::nullopt, {SYS_clone3, {0, 0}}, ENOSYS},
      {"clone", ArgValue{0, kForkFlags}, {SYS_clone, {kForkFlags, 0, 0, 0, 0}}, 0},
      {"clone",
       ArgValue{0, CLONE_NEWUSER | kForkFlags},
       {SYS_clone, {CLONE_NEWUSER | kForkFlags, 0, 0, 0, 0}},
       EPERM},
      {"unshare", ArgValue{0, CLONE_FS}, {SYS_unshare, {CLONE_FS}}, 0},
      {"unshare", ArgValue{0, CLONE_NEWUSER}, {SYS_unshare, {CLONE_NEWUSER}}, EPERM},
  };
  return cases;
}

// A program recorded making the allowed cases (clone3 only through glibc's fork, so not
// with CLONE_NEWUSER), and what the probes need to report back.
Report kernel_recording() {
  return recording_of({call("write"), call("exit_group"), call("wait4"),
                       call("socket", Phase::workload, values(0, {AF_UNIX})),
                       call("clone3", Phase::workload, values(0, {kForkFlags})),
                       call("unshare", Phase::workload, values(0, {CLONE_FS}))});
}

TEST(SeccompFilterTest, LoadedStandardFilterDoesWhatEvaluateSays) {
  const auto generated = generate_profile(kernel_recording(), {.implications = false});
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  const Profile& profile = generated->profile;
  std::vector<RawCall> calls;
  for (const auto& kernel_case : kernel_cases()) calls.push_back(kernel_case.call);

  const auto run = run_filtered(program_of(profile), calls);
  ASSERT_EQ(run.install_errno, 0);
  ASSERT_EQ(run.outcomes.size(), kernel_cases().size()) << "the child died under the filter";
  for (size_t i = 0; i < kernel_cases().size(); ++i) {
    const KernelCase& kernel_case = kernel_cases()[i];
    const std::string what = kernel_case.name + " case " + std::to_string(i);
    EXPECT_EQ(run.outcomes[i], kernel_case.expected) << what;
    const bool allowed =
        evaluate(profile, native_arch(), kernel_case.name, kernel_case.arg) == Action::allow;
    EXPECT_EQ(allowed, kernel_case.expected == 0) << what;
  }
}

TEST(SeccompFilterTest, LoadedStrictFilterChecksIoctlRequestsAndPrctlOptions) {
  Report report = kernel_recording();
  report.syscalls.push_back(call("ioctl", Phase::workload, values(1, {FIONREAD})));
  report.syscalls.push_back(call("prctl", Phase::workload, values(0, {PR_GET_NAME})));
  const auto generated =
      generate_profile(report, {.arg_level = ArgLevel::strict, .implications = false});
  ASSERT_TRUE(generated.ok()) << generated.error().message;

  // Allowed calls fail on their bad arguments, denied ones with the filter's EPERM.
  const unsigned long bad_fd = static_cast<unsigned long>(-1);
  const auto run =
      run_filtered(program_of(generated->profile), {{SYS_ioctl, {bad_fd, FIONREAD, 0}},
                                                    {SYS_ioctl, {bad_fd, TCGETS, 0}},
                                                    {SYS_prctl, {PR_GET_NAME, 0, 0, 0, 0}},
                                                    {SYS_prctl, {PR_SET_NAME, 0, 0, 0, 0}}});
  ASSERT_EQ(run.install_errno, 0);
  EXPECT_THAT(run.outcomes, ElementsAre(EBADF, EPERM, EFAULT, EPERM));
}

TEST(SeccompFilterTest, AnAuditFilterLetsEverythingRun) {
  const auto generated = generate_profile(kernel_recording(), {.implications = false});
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  const auto filter = SeccompFilter::build(generated->profile, Action::log);
  ASSERT_TRUE(filter.ok()) << filter.error().message;
  const auto run = run_filtered(filter->bpf_program().value(),
                                {{SYS_socket, {AF_PACKET, SOCK_RAW, 0}}, {SYS_getppid, {}}});
  ASSERT_EQ(run.install_errno, 0);
  ASSERT_EQ(run.outcomes.size(), 2u);
  // AF_PACKET needs CAP_NET_RAW, which the test may lack; EPERM would then be the kernel's.
  if (geteuid() == 0) {
    EXPECT_EQ(run.outcomes[0], 0);
  }
  EXPECT_EQ(run.outcomes[1], 0);
}

}  // namespace
}  // namespace tailor::common
