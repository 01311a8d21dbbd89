#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "tests/support/process.h"
#include "tests/testbed/simulated_cluster.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::testbed {

// A throwaway CA and serving certificate written to files, for an aggregator
// (real or stub) that agents must verify.
struct TlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};
common::Result<TlsFiles> write_tls_files(const std::filesystem::path& dir);

// The agent's pod on `node` in namespace tailor (put, so calling again is harmless) and a token
// the kubelet would project into it, for the aggregator to review.
common::Result<std::string> agent_token(TestApiServer& server, const std::string& node,
                                        const std::string& audience = "tailor-aggregator",
                                        const std::string& service_account = "tailor-agent",
                                        std::chrono::seconds ttl = std::chrono::hours(1));

// A namespace labelled so that the agent records its pods.
common::Status put_recorded_namespace(TestApiServer& server, const std::string& name);

// Where agent tests run: a simulated cluster on `server` whose namespace "shop" is recorded,
// and TLS files in `dir` for the aggregator the agents send to.
struct RecordingCluster {
  std::unique_ptr<SimulatedCluster> cluster;
  TlsFiles tls;
};
common::Result<RecordingCluster> recording_cluster(TestApiServer& server,
                                                   const std::filesystem::path& dir);

// Real `tailor agent` processes, one a simulated node, pointed at one
// aggregator. Destroying the fleet kills them and removes their pinned state.
class AgentFleet {
 public:
  AgentFleet(std::string tailor_bin, TestApiServer& server, std::filesystem::path dir,
             std::string aggregator_url, std::string aggregator_ca)
      : tailor_bin_(std::move(tailor_bin)),
        server_(server),
        dir_(std::move(dir)),
        aggregator_url_(std::move(aggregator_url)),
        aggregator_ca_(std::move(aggregator_ca)) {}
  ~AgentFleet();
  AgentFleet(const AgentFleet&) = delete;
  AgentFleet& operator=(const AgentFleet&) = delete;

  // Starts the node's agent (after `wrapper`, e.g. a capability drop; with `extra_args` after
  // the fleet's) and returns once it serves; an empty token_file sends no token.
  testing::RunningProcess& start(const SimulatedNode& node, const std::string& token_file = "",
                                 std::vector<std::string> wrapper = {},
                                 const std::vector<std::string>& extra_args = {});
  std::vector<testing::RunningProcess>& agents() { return agents_; }
  // Agents that did not serve within start()'s wait: each with what its process was doing
  // then (exited and how, or its state and every thread's kernel stack) and its log so far.
  const std::vector<std::string>& stalled() const { return stalled_; }

 private:
  std::string tailor_bin_;
  TestApiServer& server_;
  std::filesystem::path dir_;
  std::string aggregator_url_;
  std::string aggregator_ca_;
  std::vector<testing::RunningProcess> agents_;
  std::vector<std::string> pin_dirs_;
  std::vector<std::string> stalled_;
};

}  // namespace tailor::testbed
