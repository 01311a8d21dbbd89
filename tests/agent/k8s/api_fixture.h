#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "common/k8s/client/kube_client.h"
#include "common/k8s/client/reflector.h"
#include "tests/support/wait.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::agent {

using tailor::testing::wait_until;

// A test API server over HTTPS and a client of it, as the agent would have
// from its kubeconfig.
class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    testbed::TestApiServerOptions options;
    options.bookmark_interval = std::chrono::milliseconds(100);
    auto server = testbed::TestApiServer::start(options);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    auto config = common::load_kubeconfig(server_->kubeconfig_path());
    ASSERT_TRUE(config) << config.error().message;
    auto client = common::KubeClient::create(*config);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
  }

  // Fast retries, so failure paths take milliseconds.
  static common::ReflectorOptions fast_reflector() {
    common::ReflectorOptions options;
    options.backoff_initial = std::chrono::milliseconds(20);
    options.backoff_max = std::chrono::milliseconds(100);
    options.log = [](const std::string&) {};
    return options;
  }

  std::unique_ptr<testbed::TestApiServer> server_;
  std::unique_ptr<common::KubeClient> client_;
};

}  // namespace tailor::agent
