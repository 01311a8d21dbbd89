// tailor-aggregator: flags in, the service out (aggregator/aggregator.h does the work).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "aggregator/aggregator.h"
#include "aggregator/options.h"
#include "common/cli/parse.h"
#include "common/cli/version.h"
#include "common/k8s/client/cluster_config.h"
#include "common/util/log.h"

using namespace tailor;

int main(int argc, char** argv) {
  aggregator::CommandLine line;
  CLI::App app{
      "tailor-aggregator: merges agents' syscalls into one SeccompProfile per workload container"};
  app.add_option("--listen", line.listen, "[address]:port to serve the API, /metrics and probes on")
      ->capture_default_str();
  // Required, but checked after parsing (aggregator_options), so that --version and
  // unknown flags are answered first.
  app.add_option("--tls-cert", line.tls_cert, "Serving certificate (PEM); required");
  app.add_option("--tls-key", line.tls_key, "Serving key (PEM); required");
  app.add_option("--ui-listen", line.ui_listen,
                 "127.0.0.1:port of the read-only web view (/ui), or off; loopback only")
      ->capture_default_str();
  app.add_option("--client-ca", line.client_ca,
                 "Mutual TLS: agents' batches need a client certificate signed by this CA (PEM)");
  app.add_option("--kubeconfig", line.kubeconfig,
                 "Kubeconfig (default: in-cluster, then $KUBECONFIG)");
  app.add_option("--audience", line.audience, "Audience agents' tokens must carry")
      ->capture_default_str();
  app.add_option("--agent-service-account", line.agent_service_account,
                 "The only user whose batches are accepted")
      ->capture_default_str();
  app.add_option("--debounce", line.debounce_s,
                 "Shortest seconds between two writes of one profile")
      ->capture_default_str();
  app.add_flag("--record-only", line.record_only,
               "Merge and serve /api/v1/profiles; write no SeccompProfiles");
  app.add_option("--default-action", line.default_action, "Action for calls outside a profile")
      ->capture_default_str();
  app.add_option("--arg-level", line.arg_level, "Argument rules: off, standard or strict")
      ->capture_default_str();
  app.add_option("--base-syscall", line.base_syscalls, "Allowed in every profile (repeatable)");
  app.add_option("--api-version", line.api_version,
                 "SeccompProfile version: v1 or v1beta1 (default: discovery)");
  app.add_option("--max-body-bytes", line.max_body_bytes, "Largest batch accepted")
      ->capture_default_str();
  app.add_option("--max-connections", line.max_connections,
                 "Open connections served at once; beyond it they are closed on accept")
      ->capture_default_str();
  app.add_option("--idle-timeout", line.idle_timeout_s,
                 "Seconds a kept connection may wait for its next request")
      ->capture_default_str();
  app.add_option("--rate", line.rate, "Batches per second per node")->capture_default_str();
  app.add_option("--burst", line.burst, "Batches a node may send at once")->capture_default_str();
  app.add_option("--stable-after-hours", line.stable_after_hours,
                 "Hours without a new call before a workload is stable")
      ->capture_default_str();
  app.add_option("--stable-min-pods", line.stable_min_pods,
                 "Pods a workload must have been seen on before it is stable")
      ->capture_default_str();
  common::add_version_flags(app, "tailor-aggregator");
  if (auto status = common::parse_command_line(app, argc, argv, "tailor-aggregator"))
    return *status;

  auto options = aggregator::aggregator_options(line);
  if (!options) {
    std::fprintf(stderr, "tailor-aggregator: %s\n", options.error().message.c_str());
    return common::kExitUsage;
  }
  auto config = common::default_cluster_config(line.kubeconfig);
  if (!config) {
    std::fprintf(stderr, "tailor-aggregator: %s\n", config.error().message.c_str());
    return 1;
  }
  auto client = common::KubeClient::create(*config, {.user_agent = "tailor-aggregator"});
  if (!client) {
    std::fprintf(stderr, "tailor-aggregator: %s\n", client.error().message.c_str());
    return 1;
  }
  // Blocked before any thread starts, so only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto service = aggregator::Aggregator::create(std::move(*client), std::move(*options));
  if (!service) {
    std::fprintf(stderr, "tailor-aggregator: %s\n", service.error().message.c_str());
    return 1;
  }
  if (auto started = (*service)->start(); !started) {
    std::fprintf(stderr, "tailor-aggregator: %s\n", started.error().message.c_str());
    return 1;
  }
  common::log_line("info", "serving on port " + std::to_string((*service)->port()));
  int signal = 0;
  sigwait(&stop_signals, &signal);
  common::log_line("info", "stopping on signal " + std::to_string(signal));
  (*service)->stop();
  return 0;
}
