#include "common/syscalls/names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tailor/bpf/abi.h"

namespace tailor::common {
namespace {

using ::testing::MatchesRegex;

std::optional<std::string> name(std::string_view arch, uint32_t nr) {
  return syscall_name(arch, nr).value();
}

std::optional<uint32_t> number(std::string_view arch, std::string_view syscall) {
  return syscall_number(arch, syscall).value();
}

TEST(NamesTest, ResolvesNumbersPerArchitecture) {
  EXPECT_EQ(name("x86_64", 0), "read");
  EXPECT_EQ(name("x86_64", 59), "execve");
  EXPECT_EQ(name("x86", 5), "open");
  EXPECT_EQ(name("x86", 11), "execve");
  EXPECT_EQ(name("aarch64", 56), "openat");
  EXPECT_EQ(name("arm", 5), "open");
}

TEST(NamesTest, ResolvesNames) {
  EXPECT_EQ(number("x86_64", "openat"), 257u);
  EXPECT_EQ(number("x86", "open"), 5u);
  EXPECT_EQ(number("aarch64", "openat"), 56u);
  EXPECT_EQ(number("arm", "open"), 5u);
}

TEST(NamesTest, X32NumbersLeaveOutTheMarkerBit) {
  EXPECT_EQ(number("x32", "read"), 0u);
  EXPECT_EQ(name("x32", 0), "read");
  // x32's own entry points start at 512.
  EXPECT_EQ(name("x32", 512), "rt_sigaction");
  EXPECT_EQ(number("x32", "rt_sigaction"), 512u);
}

TEST(NamesTest, ANameMissingOnAnArchIsNotAnError) {
  EXPECT_EQ(number("aarch64", "open"), std::nullopt);
  EXPECT_EQ(number("x86_64", "socketcall"), std::nullopt);
  EXPECT_EQ(number("x86_64", "no_such_syscall"), std::nullopt);
}

TEST(NamesTest, UnknownNumbersHaveNoName) {
  EXPECT_EQ(name("x86_64", 335), std::nullopt);  // a gap in the table
  EXPECT_EQ(name("x86_64", 540), std::nullopt);  // x32's range, never x86_64's
}

TEST(NamesTest, MultiplexedSyscallsResolveToTheirOwnNumbers) {
  EXPECT_EQ(number("x86", "socket"), 359u);
  EXPECT_EQ(number("x86", "socketcall"), 102u);
  EXPECT_EQ(number("x86", "shmget"), 395u);
}

TEST(NamesTest, UnknownArchIsAnError) {
  EXPECT_FALSE(syscall_name("vax", 0).ok());
  EXPECT_FALSE(syscall_number("vax", "read").ok());
}

TEST(NamesTest, EveryNameRoundTripsOnTheRecordersArches) {
  for (const char* arch : {"x86_64", "x86", "x32", "aarch64", "arm"}) {
    int named = 0;
    for (uint32_t nr = 0; nr < TAILOR_MAX_SYSCALLS; ++nr) {
      const auto syscall = name(arch, nr);
      if (!syscall) continue;
      ++named;
      EXPECT_EQ(number(arch, *syscall), nr) << arch << " " << *syscall;
    }
    EXPECT_GT(named, 250) << arch;
  }
}

TEST(NamesTest, ReportsLibseccompVersion) {
  EXPECT_THAT(libseccomp_version(), MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

}  // namespace
}  // namespace tailor::common
