// Two real agents on two simulated nodes feed the real aggregator (in-process, HTTPS, tokens
// reviewed by the test API server), which writes one SeccompProfile for the workload's
// replicas on both nodes. Root, runc and kernel BTF, like tests/e2e.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "aggregator/aggregator.h"
#include "aggregator/writer/profile_names.h"
#include "common/k8s/seccomp_profile_object.h"
#include "tests/aggregator/aggregator_bed.h"
#include "tests/support/process.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/simulated_cluster.h"
#include "tests/testbed/tls_material.h"

namespace tailor::aggregator {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class AgentsToAggregatorTest : public AggregatorBed {
 protected:
  void SetUp() override {
    if (auto why = testbed::runtime_unavailable(testbed::OciRuntime::kRunc)) GTEST_SKIP() << *why;
    if (!fs::exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "needs kernel BTF";
    AggregatorBed::SetUp();
    dir_ = fs::temp_directory_path() / ("tailor-aggregator-e2e-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto cluster = testbed::SimulatedCluster::create(*server_);
    ASSERT_TRUE(cluster) << cluster.error().message;
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(testbed::put_recorded_namespace(*server_, "shop"));
    auto tls = testbed::write_tls_files(dir_);
    ASSERT_TRUE(tls) << tls.error().message;
    AggregatorOptions options;
    options.endpoint = {"127.0.0.1", 0, tls->cert_file, tls->key_file};
    options.writer.debounce = std::chrono::milliseconds(500);
    auto aggregator = Aggregator::create(new_client(), options);
    ASSERT_TRUE(aggregator) << aggregator.error().message;
    aggregator_ = std::move(*aggregator);
    ASSERT_TRUE(aggregator_->start());
    fleet_ = std::make_unique<testbed::AgentFleet>(
        TAILOR_BIN, *server_, dir_, "https://127.0.0.1:" + std::to_string(aggregator_->port()), tls->ca_file);
  }

  void TearDown() override {
    fleet_.reset();
    if (cluster_) (void)cluster_->teardown();
    if (aggregator_) aggregator_->stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void start_agent(const testbed::SimulatedNode& node) {
    const std::string token_file = (dir_ / ("token-" + node.name)).string();
    ASSERT_TRUE(testbed::write_private_file(token_file, agent_token(node.name)));
    fleet_->start(node, token_file);
  }

  // The names the workload's SeccompProfile allows.
  std::set<std::string> allowed(const common::WorkloadKey& key) {
    std::set<std::string> names;
    auto object = server_->get_object(std::string(common::kSpoGroup) + "/v1", "seccompprofiles", "",
                                      profile_name(key));
    if (!object) return names;
    auto profile = common::profile_from_seccomp_profile(*object);
    if (!profile) return names;
    for (const auto& rule : profile->profile.syscalls)
      if (rule.action == common::Action::allow) names.insert(rule.names.begin(), rule.names.end());
    return names;
  }

  fs::path dir_;
  std::unique_ptr<testbed::SimulatedCluster> cluster_;
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<testbed::AgentFleet> fleet_;
};

TEST_F(AgentsToAggregatorTest, ReplicasOnTwoNodesBecomeOneSeccompProfile) {
  auto node_a = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                   testbed::CriFlavor::kContainerd);
  auto node_b = cluster_->add_node("node-b", testbed::CgroupDriver::kSystemd,
                                   testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node_a && node_b);
  start_agent(**node_a);
  start_agent(**node_b);

  testbed::PodSpec web;
  web.ns = "shop";
  web.owner = {"Deployment", "web"};
  web.args = {"sh", "-c", "while true; do uname >/dev/null; sleep 0.2; done"};
  ASSERT_TRUE(cluster_->start_pod("node-a", web));
  web.args = {"sh", "-c", "while true; do sync; sleep 0.2; done"};
  ASSERT_TRUE(cluster_->start_pod("node-b", web));

  const common::WorkloadKey key = {"shop", "Deployment", "web", "main"};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline &&
         !(allowed(key).contains("uname") && allowed(key).contains("sync"))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(allowed(key).contains("uname")) << slurp(fleet_->agents().front().err_path);
  EXPECT_TRUE(allowed(key).contains("sync")) << slurp(fleet_->agents().back().err_path);
  auto tracked = aggregator_->store().get(key);
  ASSERT_TRUE(tracked);
  EXPECT_EQ(tracked->merged.nodes, (std::set<std::string>{"node-a", "node-b"}));
}

}  // namespace
}  // namespace tailor::aggregator
