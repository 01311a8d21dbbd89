#pragma once

// Real agents (the tailor binary) on simulated nodes feeding the real aggregator, in-process,
// over HTTPS, with tokens the test API server issues and reviews. Root, runc and kernel BTF.
// tests/aggregator's and tests/e2e's agent tests run on it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "aggregator/aggregator.h"
#include "common/k8s/profile_names.h"
#include "common/k8s/seccomp_profile_object.h"
#include "tests/aggregator/aggregator_bed.h"
#include "tests/support/process.h"
#include "tests/support/recording.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/simulated_cluster.h"
#include "tests/testbed/tls_material.h"

namespace tailor::aggregator {

class AgentsBed : public AggregatorBed {
 protected:
  void SetUp() override {
    if (auto why = testbed::runtime_unavailable(testbed::OciRuntime::kRunc)) FAIL() << *why;
    TAILOR_REQUIRE_BTF();
    AggregatorBed::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    dir_ = std::filesystem::temp_directory_path() /
           ("tailor-agents-bed-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto cluster = testbed::recording_cluster(*server_, dir_);
    ASSERT_TRUE(cluster) << cluster.error().message;
    cluster_ = std::move(cluster->cluster);
    tls_ = cluster->tls;
    ASSERT_NO_FATAL_FAILURE(start_aggregator());
    fleet_ =
        std::make_unique<testbed::AgentFleet>(TAILOR_BIN, *server_, dir_, address(), tls_.ca_file);
  }

  // The aggregator on `port` (0: any free one), as a restarted aggregator pod would come back.
  void start_aggregator(int port = 0) {
    AggregatorOptions options = aggregator_options();
    options.endpoint = {"127.0.0.1", port, tls_.cert_file, tls_.key_file};
    auto aggregator = Aggregator::create(new_client(), options);
    ASSERT_TRUE(aggregator) << aggregator.error().message;
    aggregator_ = std::move(*aggregator);
    ASSERT_TRUE(aggregator_->start());
  }
  // What a test's aggregator runs with, its endpoint aside.
  virtual AggregatorOptions aggregator_options() const {
    AggregatorOptions options;
    options.writer.debounce = std::chrono::milliseconds(500);
    return options;
  }
  std::string address() const { return "https://127.0.0.1:" + std::to_string(aggregator_->port()); }

  void TearDown() override {
    fleet_.reset();
    if (cluster_) (void)cluster_->teardown();
    if (aggregator_) aggregator_->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Returns once the agent serves /metrics: it has loaded the recorder and tracks the node.
  // `wrapper` runs before the agent, e.g. to drop capabilities.
  testing::RunningProcess& start_agent(const testbed::SimulatedNode& node,
                                       const std::vector<std::string>& extra_args = {},
                                       std::vector<std::string> wrapper = {}) {
    const std::string token_file = (dir_ / ("token-" + node.name)).string();
    EXPECT_TRUE(testbed::write_private_file(token_file, agent_token(node.name)));
    testing::RunningProcess& started =
        fleet_->start(node, token_file, std::move(wrapper), extra_args);
    EXPECT_NE(testing::slurp(started.err_path).find("serving /metrics"), std::string::npos)
        << testing::slurp(started.err_path);
    return started;
  }

  // An agent on node-a (the kubelet's cgroupfs driver) and one on node-b (systemd's).
  void start_agents_on_two_nodes() {
    auto node_a = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                     testbed::CriFlavor::kContainerd);
    auto node_b = cluster_->add_node("node-b", testbed::CgroupDriver::kSystemd,
                                     testbed::CriFlavor::kContainerd);
    ASSERT_TRUE(node_a && node_b);
    start_agent(**node_a);
    start_agent(**node_b);
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

  std::filesystem::path dir_;
  testbed::TlsFiles tls_;
  std::unique_ptr<testbed::SimulatedCluster> cluster_;
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<testbed::AgentFleet> fleet_;
};

}  // namespace tailor::aggregator
