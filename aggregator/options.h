#pragma once

#include <string>
#include <vector>

#include "aggregator/aggregator.h"
#include "common/util/result.h"

namespace tailor::aggregator {

// The command line as given, before it is checked and turned into AggregatorOptions.
struct CommandLine {
  std::string listen = ":8443";
  std::string ui_listen = "127.0.0.1:8081";  // "off": no web view
  std::string tls_cert;
  std::string tls_key;
  std::string client_ca;   // empty: no mutual TLS
  std::string kubeconfig;  // empty: in-cluster, then $KUBECONFIG (default_cluster_config)
  std::string audience = "tailor-aggregator";
  std::string agent_service_account = "system:serviceaccount:tailor:tailor-agent";
  double debounce_s = 2;
  bool record_only = false;
  std::string default_action = "SCMP_ACT_ERRNO";
  std::string arg_level = "standard";
  std::vector<std::string> base_syscalls;
  std::string api_version;  // empty: discovery
  std::size_t max_body_bytes = 4 << 20;
  std::size_t max_connections = 10000;
  double idle_timeout_s = 90;
  double rate = 20;
  double burst = 40;
  double stable_after_hours = 24;
  uint64_t stable_min_pods = 2;
};

// Checks the values; an error names the flag.
common::Result<AggregatorOptions> aggregator_options(const CommandLine& line);

}  // namespace tailor::aggregator
