#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace tailor::common {

struct HttpEndpointOptions {
  std::string address = "0.0.0.0";
  int port = 0;  // 0: any free port; port() tells which
  // Both set: HTTPS (TLS 1.2 or newer) with this certificate. Both empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // With TLS: ask clients for a certificate and verify any offered against this CA bundle.
  // Offering one stays optional at the handshake, because kubelet probes and Prometheus
  // scrapers have none; routes that need one check HttpRequest::verified_client_cert.
  std::string client_ca_file;
  // Threads of the event loop: they only read, write and parse, so a few serve thousands of
  // connections; an idle connection holds no thread.
  std::size_t threads = 2;
  // Threads that run the routes' handlers, which may block (a TokenReview, the store).
  std::size_t handler_threads = 4;
  // A kept connection is closed after this long without a request: longer than the agents'
  // delivery interval (2 s by default, the chart's 2 s), so an agent keeps its connection.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(90)};
  // From a request's first byte: its headers and body (and then its answer) each within this
  // long, however slowly the client trickles them; past it the connection is closed.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  // Connections beyond this are closed as they are accepted (counted in
  // tailor_http_connections_refused_total); RLIMIT_NOFILE is raised to its hard limit at start.
  std::size_t max_connections = 10000;
  // The body limit of routes that are not streamed (those have their own).
  std::size_t max_body_bytes = 1 << 20;
  // Bytes of request bodies held at once across all connections, from before a body is read
  // until its request is answered (its Content-Length, or the route's whole limit for a
  // chunked one): a body that would pass it is answered 503 with Retry-After, unread, and
  // counted; with nothing in flight any one body is taken. Without it, every connection could
  // hold a body of the limit at once.
  std::size_t max_body_bytes_in_flight = 64 << 20;
};

}  // namespace tailor::common
