#pragma once

// The aggregator's pieces on the test bed: the test API server (HTTPS, TokenReview,
// SeccompProfile CRDs), a KubeClient for it, and agent pods whose bound tokens it issues.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/k8s/client/cluster_config.h"
#include "common/k8s/client/kube_client.h"
#include "common/wire/delta.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::aggregator {

class AggregatorBed : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testbed::TestApiServer::start({});
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    client_ = new_client();
    ASSERT_TRUE(client_);
  }

  std::unique_ptr<common::KubeClient> new_client() {
    auto config = common::load_kubeconfig(server_->kubeconfig_path());
    EXPECT_TRUE(config) << config.error().message;
    if (!config) return nullptr;
    auto client = common::KubeClient::create(*config);
    EXPECT_TRUE(client) << client.error().message;
    return client ? std::move(*client) : nullptr;
  }

  // The agent's pod on `node` and a token the kubelet would project into it.
  std::string agent_token(const std::string& node,
                          const std::string& audience = "tailor-aggregator",
                          const std::string& service_account = "tailor-agent",
                          std::chrono::seconds ttl = std::chrono::hours(1)) {
    auto token = testbed::agent_token(*server_, node, audience, service_account, ttl);
    EXPECT_TRUE(token) << token.error().message;
    return token ? *token : std::string();
  }

  static common::Delta delta_from(const std::string& node, const std::string& agent_id,
                                  const common::WorkloadKey& key,
                                  const std::vector<std::string>& names) {
    common::Delta delta;
    delta.node = node;
    delta.agent = {agent_id, 1714564800000};
    delta.seq = 1;
    common::WorkloadDelta workload;
    workload.key = key;
    workload.pods = {"pod-" + node};
    const std::map<std::string, uint32_t> numbers = {
        {"read", 0},   {"write", 1},   {"close", 3},   {"mmap", 9},       {"uname", 63},
        {"sync", 162}, {"getpid", 39}, {"futex", 202}, {"nanosleep", 35}, {"exit_group", 231}};
    for (const auto& name : names) {
      workload.syscalls.push_back({"x86_64", numbers.at(name), name, common::Phase::workload, 1,
                                   1714564800100, std::nullopt});
    }
    delta.workloads.push_back(std::move(workload));
    return delta;
  }

  std::unique_ptr<testbed::TestApiServer> server_;
  std::unique_ptr<common::KubeClient> client_;
};

}  // namespace tailor::aggregator
