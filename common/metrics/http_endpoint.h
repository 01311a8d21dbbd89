#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/metrics/http_endpoint_options.h"
#include "common/metrics/http_message.h"
#include "common/util/result.h"

namespace prometheus {
class Registry;
}

namespace tailor::common {

class HttpServer;

// The one HTTP server of a process: /metrics (Prometheus text format 0.0.4), /healthz
// (answers while the process serves at all) and /readyz (the owner's readiness check). The
// owner adds its own routes before start(); the aggregator serves its API here. Event-driven
// (decision 0011): a few threads serve every connection, handlers run on a small pool.
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

  // Routes, added before start(). A request no route takes is answered 404; a handler that
  // throws, 500 with its message.
  void get(std::string path, HttpHandler handler);
  // `prefix` itself and every path under "prefix/".
  void get_prefix(std::string prefix, HttpHandler handler);
  // The body (at most HttpEndpointOptions::max_body_bytes) is read before `handler` runs.
  void post(std::string path, HttpHandler handler);
  // `admit` runs once the headers are read, before any of the body, which is then read with
  // `body_limit` enforced whatever the transfer encoding (http_message.h).
  void post_streamed(std::string path, std::size_t body_limit, AdmitHandler admit);

  // Binds and serves on threads of its own until stop() or destruction.
  Status start();
  void stop();
  int port() const { return port_; }

 private:
  HttpEndpoint(std::shared_ptr<prometheus::Registry> registry, ReadinessCheck ready,
               std::unique_ptr<HttpServer> server);
  void add_routes();

  // Before the server: connections it still holds at destruction count themselves out in it.
  std::shared_ptr<prometheus::Registry> registry_;
  ReadinessCheck ready_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

}  // namespace tailor::common
