#include "agent/node/retired_containers.h"

#include <gtest/gtest.h>

namespace tailor::agent {
namespace {

using common::Phase;
using common::SyscallEntry;

common::Report snapshot(std::vector<std::pair<uint32_t, uint64_t>> calls) {
  common::Report report;
  for (const auto& [nr, count] : calls) {
    report.syscalls.push_back(SyscallEntry{"x86_64", nr, "", Phase::workload, count, nr * 1000ull,
                                           std::nullopt, std::nullopt});
  }
  return report;
}

common::SyscallId key(uint32_t nr) { return {"x86_64", nr, Phase::workload}; }

TEST(RetiredContainersTest, FoldsSnapshotsAndCountsEachPodOnce) {
  RetiredContainers retired;
  EXPECT_FALSE(retired.report().has_value());
  retired.add("pod-a", snapshot({{0, 10}, {1, 1}}));
  retired.add("pod-a", snapshot({{0, 5}}));  // the same container restarted in its pod
  retired.add("pod-b", snapshot({{0, 2}}));
  ASSERT_TRUE(retired.report().has_value());
  ASSERT_EQ(retired.report()->syscalls.size(), 2u);
  EXPECT_EQ(retired.report()->syscalls[0].count, 17u) << "calls of every finished container";
  EXPECT_EQ(retired.report()->info.target, "finished containers") << "no list that grows";

  const auto counts = retired.pod_counts({{key(0), {"pod-a", "pod-c"}}, {key(2), {"pod-c"}}});
  EXPECT_EQ(counts.at(key(0)), 3u) << "pod-a finished and live counts once, plus b and c";
  EXPECT_EQ(counts.at(key(1)), 1u);
  EXPECT_EQ(counts.at(key(2)), 1u);

  std::set<std::string> pods;
  retired.add_pod_uids_to(pods);
  EXPECT_EQ(pods, (std::set<std::string>{"pod-a", "pod-b"}));
}

}  // namespace
}  // namespace tailor::agent
