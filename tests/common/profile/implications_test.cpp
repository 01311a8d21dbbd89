#include "common/profile/implications.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/profile/recorded_calls.h"

namespace tailor::common {
namespace {

using testing::call;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::recording_of;
using testing::values;

std::vector<std::string> names(const std::vector<AddedSyscall>& added) {
  std::vector<std::string> out;
  for (const auto& syscall : added) out.push_back(syscall.name);
  return out;
}

TEST(ImplicationsTest, ThreadsImplyWhatThreadsDoByTiming) {
  const auto implied =
      implied_syscalls(recording_of({call("clone", Phase::workload, values(0, {0x3d0f00}))}));
  EXPECT_THAT(names(implied), Contains("futex"));
  EXPECT_THAT(names(implied), Contains("exit"));
  for (const auto& syscall : implied) EXPECT_FALSE(syscall.reason.empty()) << syscall.name;
}

TEST(ImplicationsTest, LeavesOutWhatWasRecorded) {
  const auto implied = implied_syscalls(recording_of(
      {call("clone3", Phase::workload, values(0, {0x3d0f00})), call("futex"), call("exit")}));
  EXPECT_THAT(names(implied), Not(Contains("futex")));
  EXPECT_THAT(names(implied), Not(Contains("exit")));
  EXPECT_THAT(names(implied), Contains("restart_syscall"));  // futex was recorded
}

TEST(ImplicationsTest, TheRuntimesSetUpImpliesNothing) {
  EXPECT_THAT(implied_syscalls(recording_of({call("rt_sigaction", Phase::runtime_setup),
                                             call("nanosleep", Phase::runtime_setup)})),
              IsEmpty());
}

TEST(ImplicationsTest, TheRuntimesFilteredCallsImplyLikeTheWorkloads) {
  EXPECT_THAT(
      names(implied_syscalls(recording_of({call("rt_sigaction", Phase::runtime_filtered)}))),
      ElementsAre("rt_sigreturn"));
}

TEST(ImplicationsTest, OnlyTimedSleepsImplyRestartSyscall) {
  EXPECT_THAT(implied_syscalls(recording_of({call("epoll_wait"), call("pselect6")})), IsEmpty());
  EXPECT_THAT(names(implied_syscalls(recording_of({call("clock_nanosleep")}))),
              ElementsAre("restart_syscall"));
}

}  // namespace
}  // namespace tailor::common
