#include "common/profile/generate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/testing/sample_report.h"

namespace tailor::common {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::sample_report;

TEST(GenerateProfileTest, DeniesWithEpermByDefault) {
  const Profile profile = generate_profile(sample_report()).value().profile;
  EXPECT_EQ(profile.default_action, Action::return_errno);
  EXPECT_EQ(profile.default_errno_ret, 1u);
}

TEST(GenerateProfileTest, AllowsEachRecordedNameOnceInOrder) {
  const Profile profile = generate_profile(sample_report()).value().profile;
  ASSERT_EQ(profile.syscalls.size(), 1u);
  const SyscallRule& rule = profile.syscalls[0];
  EXPECT_EQ(rule.action, Action::allow);
  EXPECT_FALSE(rule.errno_ret.has_value());
  EXPECT_FALSE(rule.is_conditional());
  // "open" was recorded on both x86_64 and x86.
  EXPECT_THAT(rule.names,
              ElementsAre("clock_gettime", "execve", "mount", "open", "read", "socket"));
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
  EXPECT_THAT(generated->profile.syscalls[0].names, ::testing::Contains("open"));
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

}  // namespace
}  // namespace tailor::common
