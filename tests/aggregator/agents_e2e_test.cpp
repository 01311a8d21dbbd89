// Two real agents on two simulated nodes feed the real aggregator (in-process, HTTPS, tokens
// reviewed by the test API server), which writes one SeccompProfile for the workload's
// replicas on both nodes. Root, runc and kernel BTF, like tests/e2e.
#include <gtest/gtest.h>

#include "tests/aggregator/agents_bed.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"

namespace tailor::aggregator {
namespace {

using testing::slurp;

using AgentsToAggregatorTest = AgentsBed;

TEST_F(AgentsToAggregatorTest, ReplicasOnTwoNodesBecomeOneSeccompProfile) {
  ASSERT_NO_FATAL_FAILURE(start_agents_on_two_nodes());

  testbed::PodSpec web;
  web.ns = "shop";
  web.owner = {"Deployment", "web"};
  web.args = {"sh", "-c", "while true; do uname >/dev/null; sleep 0.2; done"};
  ASSERT_TRUE(cluster_->start_pod("node-a", web));
  web.args = {"sh", "-c", "while true; do sync; sleep 0.2; done"};
  ASSERT_TRUE(cluster_->start_pod("node-b", web));

  const common::WorkloadKey key = {"shop", "Deployment", "web", "main"};
  (void)testing::wait_until(
      [&] { return allowed(key).contains("uname") && allowed(key).contains("sync"); },
      std::chrono::seconds(30), std::chrono::milliseconds(200));
  EXPECT_TRUE(allowed(key).contains("uname")) << slurp(fleet_->agents().front().err_path);
  EXPECT_TRUE(allowed(key).contains("sync")) << slurp(fleet_->agents().back().err_path);
  auto tracked = aggregator_->store().get(key);
  ASSERT_TRUE(tracked);
  EXPECT_EQ(tracked->merged.nodes.names(), (std::set<std::string>{"node-a", "node-b"}));
  // Pods per syscall: sync is one replica's, the shell's own calls are both replicas'.
  uint64_t most_pods = 0;
  for (const auto& [id, syscall] : tracked->merged.syscalls) {
    if (id.phase != common::Phase::workload) continue;
    most_pods = std::max(most_pods, syscall.pods());
    if (syscall.name == "sync") {
      EXPECT_EQ(syscall.pods(), 1u);
    }
  }
  EXPECT_EQ(most_pods, 2u);
}

}  // namespace
}  // namespace tailor::aggregator
