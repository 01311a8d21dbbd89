#include "tests/testbed/agent_fleet.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "tests/support/wait.h"
#include "tests/testbed/tls_material.h"

namespace tailor::testbed {
namespace {

namespace fs = std::filesystem;
using testing::slurp;

}  // namespace

common::Result<TlsFiles> write_tls_files(const fs::path& dir) {
  auto tls = generate_tls_material();
  if (!tls) return tls.error();
  TlsFiles files{(dir / "ca.pem").string(), (dir / "tls.pem").string(), (dir / "tls.key").string()};
  for (const auto& [path, pem] :
       {std::pair{files.ca_file, tls->ca_cert_pem}, std::pair{files.cert_file, tls->cert_pem},
        std::pair{files.key_file, tls->key_pem}})
    if (auto written = write_private_file(path, pem); !written) return written.error();
  return files;
}

common::Result<std::string> agent_token(TestApiServer& server, const std::string& node,
                                        const std::string& audience,
                                        const std::string& service_account,
                                        std::chrono::seconds ttl) {
  const std::string pod = "tailor-agent-" + node;
  const std::string uid = "uid-" + pod;
  auto put = server.put_object(
      "v1", "pods",
      {{"apiVersion", "v1"},
       {"kind", "Pod"},
       {"metadata", {{"name", pod}, {"namespace", "tailor"}, {"uid", uid}}},
       {"spec", {{"nodeName", node}, {"containers", {{{"name", "agent"}, {"image", "tailor"}}}}}}});
  if (!put) return put.error();
  return server.issue_service_account_token("tailor", service_account, pod, uid, node, audience,
                                            ttl);
}

common::Status put_recorded_namespace(TestApiServer& server, const std::string& name) {
  auto put = server.put_object(
      "v1", "namespaces",
      {{"apiVersion", "v1"},
       {"kind", "Namespace"},
       {"metadata", {{"name", name}, {"labels", {{"tailor.dev/record", "true"}}}}}});
  if (!put) return put.error();
  return common::ok_status();
}

common::Result<RecordingCluster> recording_cluster(TestApiServer& server, const fs::path& dir) {
  auto cluster = SimulatedCluster::create(server);
  if (!cluster) return cluster.error();
  if (auto put = put_recorded_namespace(server, "shop"); !put) return put.error();
  auto tls = write_tls_files(dir);
  if (!tls) return tls.error();
  return RecordingCluster{std::move(*cluster), *tls};
}

AgentFleet::~AgentFleet() {
  for (auto& agent : agents_) {
    ::kill(agent.pid, SIGKILL);
    agent.wait();
  }
  std::error_code ec;
  for (const auto& pins : pin_dirs_) fs::remove_all(pins, ec);
}

testing::RunningProcess& AgentFleet::start(const SimulatedNode& node, const std::string& token_file,
                                           std::vector<std::string> wrapper,
                                           const std::vector<std::string>& extra_args) {
  const std::string pins =
      "/sys/fs/bpf/tailor-fleet-" + std::to_string(::getpid()) + "-" + node.name;
  pin_dirs_.push_back(pins);
  std::vector<std::string> argv = std::move(wrapper);
  const std::vector<std::string> agent = {
      tailor_bin_, "agent", "--node-name", node.name, "--aggregator", aggregator_url_,
      "--aggregator-ca", aggregator_ca_, "--kubeconfig", server_.kubeconfig_path(),
      // The node's own subtree stands for the node's root cgroup.
      "--cgroup-root", node.cgroup_root, "--pin-dir", pins, "--spool-dir",
      (dir_ / ("spool-" + node.name)).string(), "--listen-port", "0", "--interval", "0.3"};
  argv.insert(argv.end(), agent.begin(), agent.end());
  if (!token_file.empty()) argv.insert(argv.end(), {"--token-file", token_file});
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  agents_.push_back(testing::start_process(argv));
  testing::RunningProcess& started = agents_.back();
  if (!testing::wait_until(
          [&] { return slurp(started.err_path).find("serving /metrics") != std::string::npos; },
          std::chrono::seconds(5)))
    stalled_.push_back("the agent of " + node.name + " (pid " + std::to_string(started.pid) +
                       ") did not serve within 5 s: " + testing::describe_process(started.pid) +
                       "\n  its log so far: " + slurp(started.err_path));
  return started;
}

}  // namespace tailor::testbed
