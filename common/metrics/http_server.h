#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/metrics/http_endpoint_options.h"
#include "common/metrics/http_routes.h"
#include "common/metrics/http_session.h"
#include "common/util/result.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tailor::common {

// The event loop behind HttpEndpoint: one io_context run by a few threads accepts and serves
// every connection (plain or TLS), and a small pool runs the routes' handlers.
class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> create(const HttpEndpointOptions& options,
                                                    prometheus::Registry& registry);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  HttpRoutes& routes() { return routes_; }
  // Binds and serves. Returns the port it listens on.
  Result<int> start();
  void stop();

 private:
  HttpServer(const HttpEndpointOptions& options, prometheus::Registry& registry,
             std::optional<boost::asio::ssl::context> tls);
  void accept();
  void serve(boost::asio::ip::tcp::socket socket);
  bool take_body_bytes(std::size_t bytes);
  void give_back_body_bytes(std::size_t bytes);

  HttpEndpointOptions options_;
  HttpRoutes routes_;
  prometheus::Gauge& open_gauge_;
  prometheus::Counter& refused_;
  prometheus::Gauge& bodies_gauge_;
  prometheus::Counter& bodies_refused_;
  std::atomic<std::size_t> open_ = 0;
  std::atomic<std::size_t> body_bytes_ = 0;
  boost::asio::thread_pool workers_;
  HttpServerContext context_;
  std::optional<boost::asio::ssl::context> tls_;
  // Last: destroying it destroys the sessions its pending handlers hold, which use the above.
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
};

}  // namespace tailor::common
