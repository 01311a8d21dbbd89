#pragma once

#include <httplib.h>

#include <cstddef>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/util/result.h"

namespace prometheus {
class Registry;
}

namespace tailor::common {

struct HttpEndpointOptions {
  std::string address = "0.0.0.0";
  int port = 0;  // 0: any free port; port() tells which
  // Both set: HTTPS (TLS 1.2 or newer) with this certificate. Both empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // With TLS: ask clients for a certificate and verify any offered against this CA bundle.
  // Offering one stays optional at the handshake, because kubelet probes and Prometheus
  // scrapers have none; routes that need one check has_verified_client_cert().
  std::string client_ca_file;
  // Each open connection holds a thread while it waits for its next request (httplib's
  // model), so the pool is sized for many clients and an idle connection is dropped after
  // `idle_timeout_s`: a handful of idle clients must not keep probes waiting (httplib's
  // defaults, 8 threads and 5 s, did).
  std::size_t threads = 64;
  time_t idle_timeout_s = 2;
};

// The one HTTP server of a process: /metrics (Prometheus text format 0.0.4), /healthz
// (answers while the process serves at all) and /readyz (the owner's readiness check). The
// owner adds its own routes through server() before start(); the aggregator serves its API here.
class HttpEndpoint {
 public:
  // ok: ready. An error: not ready, and its message is the body of the 503.
  using ReadinessCheck = std::function<Status()>;

  static Result<std::unique_ptr<HttpEndpoint>> create(
      HttpEndpointOptions options, std::shared_ptr<prometheus::Registry> registry,
      ReadinessCheck ready);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  httplib::Server& server() { return *server_; }

  // Binds and serves on a thread of its own until stop() or destruction.
  Status start();
  void stop();
  int port() const { return port_; }

  // True when the request came over TLS with a client certificate that chains to
  // client_ca_file. A certificate that does not chain never gets this far: the handshake fails.
  static bool has_verified_client_cert(const httplib::Request& request);

 private:
  HttpEndpoint(HttpEndpointOptions options, std::unique_ptr<httplib::Server> server,
               std::shared_ptr<prometheus::Registry> registry, ReadinessCheck ready);
  void add_routes();

  HttpEndpointOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::shared_ptr<prometheus::Registry> registry_;
  ReadinessCheck ready_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace tailor::common
