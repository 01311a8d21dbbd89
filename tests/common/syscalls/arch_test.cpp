#include "common/syscalls/arch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <seccomp.h>

#include "tailor/bpf/abi.h"

namespace tailor::common {
namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

TEST(ArchTest, KnowsTheArchitecturesTheRecorderRunsOn) {
  EXPECT_THAT(known_arches(), IsSupersetOf({"x86_64", "x86", "x32", "aarch64", "arm"}));
  EXPECT_TRUE(is_known_arch("aarch64"));
  EXPECT_FALSE(is_known_arch("vax"));
  EXPECT_FALSE(is_known_arch(""));
}

TEST(ArchTest, NativeArchIsTheHosts) {
  EXPECT_TRUE(is_known_arch(native_arch()));
#if defined(__x86_64__)
  EXPECT_EQ(native_arch(), "x86_64");
#elif defined(__aarch64__)
  EXPECT_EQ(native_arch(), "aarch64");
#endif
}

TEST(ArchTest, SeccompArchValueIsLibseccompsConstant) {
  EXPECT_EQ(seccomp_arch_value("x86_64").value(), SCMP_ARCH_X86_64);
  EXPECT_EQ(seccomp_arch_value("arm").value(), SCMP_ARCH_ARM);
  EXPECT_FALSE(seccomp_arch_value("vax").ok());
}

TEST(ArchTest, MapsRecorderAbiClassesToArchitectures) {
  EXPECT_EQ(arch_for_abi("x86_64", TAILOR_ABI_NATIVE).value(), "x86_64");
  EXPECT_EQ(arch_for_abi("x86_64", TAILOR_ABI_COMPAT).value(), "x86");
  EXPECT_EQ(arch_for_abi("x86_64", TAILOR_ABI_X32).value(), "x32");
  EXPECT_EQ(arch_for_abi("aarch64", TAILOR_ABI_NATIVE).value(), "aarch64");
  EXPECT_EQ(arch_for_abi("aarch64", TAILOR_ABI_COMPAT).value(), "arm");
}

TEST(ArchTest, RejectsAbiClassesAHostDoesNotHave) {
  const auto no_x32 = arch_for_abi("aarch64", TAILOR_ABI_X32);
  ASSERT_FALSE(no_x32.ok());
  EXPECT_THAT(no_x32.error().message, HasSubstr("aarch64 has no syscall table"));

  const auto out_of_range = arch_for_abi("x86_64", TAILOR_ABI_COUNT);
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_THAT(out_of_range.error().message, HasSubstr("unknown recorder ABI class 3"));

  const auto unsupported_host = arch_for_abi("riscv64", TAILOR_ABI_NATIVE);
  ASSERT_FALSE(unsupported_host.ok());
  EXPECT_THAT(unsupported_host.error().message, HasSubstr("does not support riscv64"));
}

TEST(ArchTest, ConvertsOciNamesBothWays) {
  const std::pair<const char*, const char*> pairs[] = {{"x86_64", "SCMP_ARCH_X86_64"},
                                                       {"x86", "SCMP_ARCH_X86"},
                                                       {"x32", "SCMP_ARCH_X32"},
                                                       {"aarch64", "SCMP_ARCH_AARCH64"},
                                                       {"arm", "SCMP_ARCH_ARM"},
                                                       {"ppc64le", "SCMP_ARCH_PPC64LE"},
                                                       {"mipsel64n32", "SCMP_ARCH_MIPSEL64N32"}};
  for (const auto& [token, oci] : pairs) {
    EXPECT_EQ(oci_arch_name(token).value(), oci);
    EXPECT_EQ(arch_from_oci_name(oci).value(), token);
  }
  for (const auto& token : known_arches()) {
    EXPECT_EQ(arch_from_oci_name(oci_arch_name(token).value()).value(), token);
  }
}

TEST(ArchTest, UnknownNamesListTheValidOnesInTheSameForm) {
  const auto token = oci_arch_name("vax");
  ASSERT_FALSE(token.ok());
  EXPECT_THAT(token.error().message, HasSubstr("unknown architecture \"vax\""));
  EXPECT_THAT(token.error().message, HasSubstr("x86_64, x32, arm, aarch64"));

  const auto oci = arch_from_oci_name("SCMP_ARCH_VAX");
  ASSERT_FALSE(oci.ok());
  EXPECT_THAT(oci.error().message, HasSubstr("\"SCMP_ARCH_VAX\""));
  EXPECT_THAT(oci.error().message, HasSubstr("SCMP_ARCH_X86_64"));

  EXPECT_FALSE(arch_from_oci_name("x86_64").ok());
}

TEST(ArchTest, ParseArchTakesTokensAndOciNames) {
  EXPECT_EQ(parse_arch("aarch64").value(), "aarch64");
  EXPECT_EQ(parse_arch("SCMP_ARCH_ARM").value(), "arm");
  EXPECT_FALSE(parse_arch("arm64").ok());  // Go's name, not libseccomp's
  EXPECT_FALSE(parse_arch("SCMP_ARCH_").ok());
}

}  // namespace
}  // namespace tailor::common
