#include "common/metrics/http_server.h"

#include <openssl/ssl.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/strand.hpp>

#include "common/metrics/families.h"

namespace tailor::common {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A client certificate is asked for but not required: SSL_VERIFY_FAIL_IF_NO_PEER_CERT would
// lock probes and scrapers out of /healthz and /metrics.
Status trust_client_ca(SSL_CTX* context, const std::string& ca_file) {
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str());
  if (names == nullptr || SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) {
    if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
    return make_error("cannot load the client CA " + ca_file +
                      ": it must be a readable PEM file of CA certificates");
  }
  SSL_CTX_set_client_CA_list(context, names);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  return ok_status();
}

Result<asio::ssl::context> tls_context(const HttpEndpointOptions& options) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // An idle kept connection gives its read and write buffers (about 34 KiB) back.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  context.use_certificate_chain_file(options.tls_cert_file, ec);
  if (!ec) context.use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return make_error("cannot load the TLS certificate " + options.tls_cert_file + " or key " +
                      options.tls_key_file);
  }
  if (!options.client_ca_file.empty()) {
    if (auto trusted = trust_client_ca(native, options.client_ca_file); !trusted)
      return trusted.error();
  }
  return context;
}

// Each connection is a descriptor: the default soft limit (1,024) would cap them far below
// max_connections. Raising the soft limit to the hard one needs no privilege.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::create(const HttpEndpointOptions& options,
                                                       prometheus::Registry& registry) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return make_error("serving TLS needs both a certificate and a key file");
  }
  if (!options.client_ca_file.empty() && options.tls_cert_file.empty()) {
    return make_error("a client CA needs TLS: give a certificate and a key file too");
  }
  std::optional<asio::ssl::context> tls;
  if (!options.tls_cert_file.empty()) {
    auto context = tls_context(options);
    if (!context) return context.error();
    tls.emplace(std::move(*context));
  }
  return std::unique_ptr<HttpServer>(new HttpServer(options, registry, std::move(tls)));
}

HttpServer::HttpServer(const HttpEndpointOptions& options, prometheus::Registry& registry,
                       std::optional<asio::ssl::context> tls)
    : options_(options),
      open_gauge_(common::gauge(registry, "tailor_http_connections_open",
                                "Connections open to this process's HTTP endpoints.")),
      refused_(common::counter(registry, "tailor_http_connections_refused_total",
                               "Connections closed as they were accepted because the endpoint had "
                               "its maximum of connections open.")),
      bodies_gauge_(common::gauge(
          registry, "tailor_http_body_bytes_in_flight",
          "Bytes of request bodies being read or answered, of the budget all connections share.")),
      bodies_refused_(common::counter(registry, "tailor_http_bodies_refused_total",
                                      "Requests answered 503 unread because their body would have "
                                      "passed the budget of body bytes in flight.")),
      workers_(std::max<std::size_t>(options.handler_threads, 1)),
      context_{routes_,
               workers_,
               options.idle_timeout,
               options.request_timeout,
               options.max_body_bytes,
               [this] {
                 open_.fetch_sub(1);
                 open_gauge_.Decrement();
               },
               [this](std::size_t bytes) { return take_body_bytes(bytes); },
               [this](std::size_t bytes) { give_back_body_bytes(bytes); }},
      tls_(std::move(tls)),
      acceptor_(io_),
      accept_retry_(io_) {}

HttpServer::~HttpServer() { stop(); }

Result<int> HttpServer::start() {
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  const auto refused = [&](const boost::system::error_code& ec) {
    return make_error("cannot listen on " + where + ": " + ec.message() +
                      " (the port is in use or the address is not this host's)");
  };
  raise_open_file_limit();
  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  const auto found = resolver.resolve(options_.address, std::to_string(options_.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || found.empty()) return refused(ec);
  const tcp::endpoint endpoint = found.begin()->endpoint();
  // SO_REUSEADDR only: with SO_REUSEPORT a second process on the port (a second agent on a
  // hostNetwork node) would share it silently instead of failing to start.
  if (acceptor_.open(endpoint.protocol(), ec); ec) return refused(ec);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec) {
    boost::system::error_code closed;  // the bind's error is the one to tell
    acceptor_.close(closed);
    return refused(ec);
  }
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) return refused(ec);
  const int port = acceptor_.local_endpoint().port();
  accept();
  for (std::size_t i = 0; i < std::max<std::size_t>(options_.threads, 1); ++i)
    threads_.emplace_back([this] { io_.run(); });
  return port;
}

void HttpServer::accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](boost::system::error_code ec, tcp::socket socket) {
                           if (ec == asio::error::operation_aborted) return;
                           if (ec) {
                             // Out of descriptors or memory: try again shortly rather than spin on
                             // the error.
                             accept_retry_.expires_after(std::chrono::milliseconds(50));
                             accept_retry_.async_wait([this](boost::system::error_code waited) {
                               if (!waited) accept();
                             });
                             return;
                           }
                           serve(std::move(socket));
                           accept();
                         });
}

void HttpServer::serve(tcp::socket socket) {
  if (open_.load() >= options_.max_connections) {
    refused_.Increment();
    return;  // the socket closes here
  }
  open_.fetch_add(1);
  open_gauge_.Increment();
  boost::system::error_code ignored;
  // An answer waits for no delayed ACK (Nagle's algorithm: 40 ms a request).
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls_) {
    std::make_shared<HttpSession<boost::beast::ssl_stream<boost::beast::tcp_stream>>>(
        context_, std::move(socket), *tls_)
        ->run();
  } else {
    std::make_shared<HttpSession<boost::beast::tcp_stream>>(context_, std::move(socket))->run();
  }
}

bool HttpServer::take_body_bytes(std::size_t bytes) {
  std::size_t used = body_bytes_.load();
  do {
    // With nothing in flight any one body is taken, so a route whose limit is above the budget
    // still gets its bodies, one at a time.
    const std::size_t left =
        options_.max_body_bytes_in_flight - std::min(used, options_.max_body_bytes_in_flight);
    if (used > 0 && bytes > left) {
      bodies_refused_.Increment();
      return false;
    }
  } while (!body_bytes_.compare_exchange_weak(used, used + bytes));
  bodies_gauge_.Increment(static_cast<double>(bytes));
  return true;
}

void HttpServer::give_back_body_bytes(std::size_t bytes) {
  body_bytes_.fetch_sub(bytes);
  bodies_gauge_.Decrement(static_cast<double>(bytes));
}

void HttpServer::stop() {
  if (threads_.empty()) return;
  io_.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Handlers under way finish (they use their owner's objects, which outlive this call); what
  // they post back goes to the stopped loop and is dropped with it.
  workers_.join();
}

}  // namespace tailor::common
