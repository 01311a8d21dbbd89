#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <memory>

#include "agent/commands/commands.h"
#include "agent/node/node_agent.h"
#include "common/k8s/client/cluster_config.h"

namespace tailor::agent {
namespace {

std::atomic<bool> g_stop{false};

void on_stop(int) { g_stop = true; }

struct AgentCommandOptions {
  NodeAgentOptions node;
  std::string kubeconfig;
  double interval_s = 2;
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

int run_agent(AgentCommandOptions options) {
  options.node.interval =
      std::chrono::milliseconds(static_cast<int64_t>(options.interval_s * 1000));
  auto cluster = common::default_cluster_config(options.kubeconfig);
  if (!cluster) return fail(cluster.error());
  struct sigaction action {};
  action.sa_handler = on_stop;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  if (auto status = run_node_agent(options.node, *cluster, g_stop); !status)
    return fail(status.error());
  return 0;
}

}  // namespace

void add_agent_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<AgentCommandOptions>();
  NodeAgentOptions& node = options->node;
  node.node_name = env_or("NODE_NAME", "");
  CLI::App* cmd = app.add_subcommand(
      "agent", "Run the node agent: record selected pods, stream to the aggregator");
  cmd->add_option("--node-name", node.node_name, "This node's name (default: $NODE_NAME)");
  cmd->add_option("--aggregator", node.sender.aggregator,
                  "Aggregator address: host:port or https://host:port")
      ->required();
  cmd->add_option("--aggregator-ca", node.sender.ca_file,
                  "CA certificate the aggregator's must chain to")
      ->required();
  cmd->add_option("--token-file", node.sender.token_file,
                  "Projected service-account token for the aggregator (re-read as it rotates)");
  cmd->add_option("--client-cert", node.sender.client_cert_file,
                  "Client certificate for mutual TLS");
  cmd->add_option("--client-key", node.sender.client_key_file, "Client key for mutual TLS");
  cmd->add_option("--kubeconfig", options->kubeconfig,
                  "Kubeconfig (default: in-cluster, then $KUBECONFIG)");
  cmd->add_option("--cgroup-root", node.cgroup_roots,
                  "cgroup2 paths whose containers are recorded (repeatable)")
      ->capture_default_str();
  cmd->add_option("--pin-dir", node.pin_dir,
                  "bpffs directory for the recorder's pinned maps and link")
      ->capture_default_str();
  cmd->add_option("--spool-dir", node.spool_dir,
                  "Directory for unacknowledged batches (a hostPath)")
      ->capture_default_str();
  cmd->add_option("--spool-max-bytes", node.spool_limits.max_bytes, "Spool size bound")
      ->capture_default_str();
  cmd->add_option("--interval", options->interval_s,
                  "Seconds between rounds of reading and sending")
      ->check(common::positive_number())
      ->capture_default_str();
  cmd->add_option("--exclude-namespace", node.selection.excluded_namespaces,
                  "Namespaces never recorded (repeatable)")
      ->capture_default_str();
  cmd->add_option("--max-sets", node.max_sets,
                  "Syscall sets the recorder holds: one per container cgroup, ABI and phase")
      ->check(CLI::Range(1u, 1u << 20))
      ->capture_default_str();
  cmd->add_option("--listen-address", node.listen_address,
                  "Address for /metrics, /healthz, /readyz")
      ->capture_default_str();
  cmd->add_option("--listen-port", node.listen_port,
                  "Port for /metrics, /healthz, /readyz (0: any)")
      ->capture_default_str();
  cmd->callback([options, &choice] { choice.run = [options] { return run_agent(*options); }; });
}

}  // namespace tailor::agent
