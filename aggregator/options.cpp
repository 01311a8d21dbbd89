#include "aggregator/options.h"

namespace tailor::aggregator {
namespace {

// The web view answers anyone who reaches it, so only the pod itself (and kubectl
// port-forward, which connects from inside the pod's network namespace) may.
common::Status ui_endpoint(const std::string& listen, AggregatorOptions& options) {
  if (listen == "off") {
    options.serve_ui = false;
    return common::ok_status();
  }
  const auto colon = listen.rfind(':');
  const std::string address = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (address != "127.0.0.1" && address != "localhost" && address != "[::1]") {
    return common::make_error("--ui-listen " + listen +
                              ": the web view has no authentication of its own, so it listens "
                              "on loopback only: 127.0.0.1:PORT (or off)");
  }
  options.ui_endpoint.address = address == "[::1]" ? "::1" : address;
  try {
    options.ui_endpoint.port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return common::make_error("--ui-listen " + listen + ": the port is not a number");
  }
  return common::ok_status();
}

}  // namespace

common::Result<AggregatorOptions> aggregator_options(const CommandLine& line) {
  AggregatorOptions options;
  const auto colon = line.listen.rfind(':');
  if (colon == std::string::npos) {
    return common::make_error("--listen " + line.listen + ": expected [address]:port, e.g. :8443");
  }
  options.endpoint.address = colon == 0 ? "0.0.0.0" : line.listen.substr(0, colon);
  try {
    options.endpoint.port = std::stoi(line.listen.substr(colon + 1));
  } catch (const std::exception&) {
    return common::make_error("--listen " + line.listen + ": the port is not a number");
  }
  if (auto ui = ui_endpoint(line.ui_listen, options); !ui) return ui.error();
  if (line.tls_cert.empty() || line.tls_key.empty()) {
    return common::make_error(
        "--tls-cert and --tls-key are required: agents only speak HTTPS; give the serving "
        "certificate and key (PEM)");
  }
  options.endpoint.tls_cert_file = line.tls_cert;
  options.endpoint.tls_key_file = line.tls_key;
  options.endpoint.client_ca_file = line.client_ca;
  options.ingest.require_client_cert = !line.client_ca.empty();
  options.review.audience = line.audience;
  options.review.service_account = line.agent_service_account;
  options.ingest.max_body_bytes = line.max_body_bytes;
  if (line.max_connections < 1) return common::make_error("--max-connections must be at least 1");
  options.endpoint.max_connections = line.max_connections;
  // A kept connection spares an agent a TLS handshake a round only while this outlasts the
  // agents' delivery interval (2 s by default).
  if (line.idle_timeout_s < 1) return common::make_error("--idle-timeout must be at least 1 s");
  options.endpoint.idle_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(line.idle_timeout_s * 1000));
  if (line.rate <= 0 || line.burst < 1) {
    return common::make_error("--rate must be positive and --burst at least 1");
  }
  options.ingest.rate.per_second = line.rate;
  options.ingest.rate.burst = line.burst;
  if (line.debounce_s < 0) return common::make_error("--debounce must not be negative");
  options.writer.debounce = std::chrono::milliseconds(static_cast<int64_t>(line.debounce_s * 1000));
  options.writer.record_only = line.record_only;
  auto action = common::parse_action(line.default_action);
  if (!action) return common::make_error("--default-action: " + action.error().message);
  if (*action == common::Action::allow) {
    return common::make_error(
        "--default-action SCMP_ACT_ALLOW would make the profile allow everything");
  }
  options.writer.default_action = *action;
  auto level = common::parse_arg_level(line.arg_level);
  if (!level) return common::make_error("--arg-level: " + level.error().message);
  options.writer.generate.arg_level = *level;
  options.writer.generate.always_allow = line.base_syscalls;
  if (!line.api_version.empty() && line.api_version != "v1" && line.api_version != "v1beta1") {
    return common::make_error("--api-version must be v1 or v1beta1");
  }
  options.writer.api_version = line.api_version;
  if (line.stable_after_hours < 0)
    return common::make_error("--stable-after-hours must not be negative");
  options.writer.lifecycle.stable_after =
      std::chrono::milliseconds(static_cast<int64_t>(line.stable_after_hours * 3600 * 1000));
  options.writer.lifecycle.stable_min_pods = line.stable_min_pods;
  return options;
}

}  // namespace tailor::aggregator
