// From the kernel's sets to the model: each (set key, number) becomes one SyscallId, argument
// values keep their calls, and the node-wide recorder stats stay out of a container's snapshot.
#include "agent/recorder/session.h"

#include <gtest/gtest.h>

#include "common/syscalls/arch.h"

namespace tailor::agent {
namespace {

constexpr uint64_t kCgroup = 42;

TEST(RecordingSessionTest, BuildsOneEntryPerSyscallIdWithItsArgumentAndNoNodeStats) {
  const std::string native = common::native_arch();
  SyscallCounts workload;
  workload.calls = {{41, 3}, {0, 9}, {56, 1}};
  workload.args[41] = common::RecordedArg{0, {{2, 2}, {10, 1}}, true};
  workload.args_overflow = {56};
  SyscallCounts runtime;
  runtime.calls = {{0, 4}};
  SyscallCounts other_cgroup;
  other_cgroup.calls = {{1, 1}};
  const std::map<SetKey, SyscallCounts> sets = {
      {{kCgroup, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, workload},
      {{kCgroup, TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED}, runtime},
      {{kCgroup + 1, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, other_cgroup}};

  const common::Report report = RecordingSession(kCgroup, 0).build(sets, {});
  std::vector<common::SyscallId> ids;
  for (const auto& entry : report.syscalls) ids.push_back(entry.id());
  EXPECT_EQ(ids, (std::vector<common::SyscallId>{{native, 0, common::Phase::workload},
                                                 {native, 0, common::Phase::runtime_filtered},
                                                 {native, 41, common::Phase::workload},
                                                 {native, 56, common::Phase::workload}}));
  EXPECT_EQ(ids[1], syscall_id({kCgroup, TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED}, 0));
  EXPECT_EQ(report.syscalls[1].count, 4u);
  EXPECT_EQ(report.syscalls[2].arg, workload.args[41]);
  ASSERT_TRUE(report.syscalls[3].arg);
  EXPECT_FALSE(report.syscalls[3].arg->complete) << "the recorder ran out of room for values";
  EXPECT_FALSE(report.syscalls[0].arg);
  EXPECT_TRUE(report.recorder_stats.empty());
}

}  // namespace
}  // namespace tailor::agent
