#include "common/metrics/http_endpoint.h"

#include <openssl/ssl.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>

#include <exception>

namespace tailor::common {
namespace {

constexpr const char* kExpositionType = "text/plain; version=0.0.4";

// httplib's own client-CA constructor also sets SSL_VERIFY_FAIL_IF_NO_PEER_CERT, which would
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

}  // namespace

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::create(
    HttpEndpointOptions options, std::shared_ptr<prometheus::Registry> registry,
    ReadinessCheck ready) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return make_error("serving TLS needs both a certificate and a key file");
  }
  if (!options.client_ca_file.empty() && options.tls_cert_file.empty()) {
    return make_error("a client CA needs TLS: give a certificate and a key file too");
  }
  std::unique_ptr<httplib::Server> server;
  if (options.tls_cert_file.empty()) {
    server = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                    options.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return make_error("cannot load the TLS certificate " + options.tls_cert_file + " or key " +
                        options.tls_key_file);
    }
    SSL_CTX_set_min_proto_version(tls->ssl_context(), TLS1_2_VERSION);
    if (!options.client_ca_file.empty()) {
      if (auto trusted = trust_client_ca(tls->ssl_context(), options.client_ca_file); !trusted) {
        return trusted.error();
      }
    }
    server = std::move(tls);
  }
  server->new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
  server->set_keep_alive_timeout(options.idle_timeout_s);
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint(std::move(options), std::move(server),
                                                          std::move(registry), std::move(ready)));
  endpoint->add_routes();
  return endpoint;
}

HttpEndpoint::HttpEndpoint(HttpEndpointOptions options, std::unique_ptr<httplib::Server> server,
                           std::shared_ptr<prometheus::Registry> registry, ReadinessCheck ready)
    : options_(std::move(options)),
      server_(std::move(server)),
      registry_(std::move(registry)),
      ready_(std::move(ready)) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::add_routes() {
  // httplib's default adds SO_REUSEPORT, with which a second process on the port (a second
  // agent on a hostNetwork node) would share it silently instead of failing to start.
  server_->set_socket_options([](socket_t socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(prometheus::TextSerializer().Serialize(registry_->Collect()),
                         kExpositionType);
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    const Status ready = ready_ ? ready_() : ok_status();
    if (ready.ok()) {
      response.set_content("ok\n", "text/plain");
    } else {
      response.status = 503;
      response.set_content(ready.error().message + "\n", "text/plain");
    }
  });
  // A handler that throws (an owner's route, or a bug) answers 500 instead of ending the process.
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        response.status = 500;
        response.set_content("internal error: " + what + "\n", "text/plain");
      });
}

Status HttpEndpoint::start() {
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.address);
  } else if (server_->bind_to_port(options_.address, options_.port)) {
    port_ = options_.port;
  } else {
    port_ = -1;
  }
  if (port_ <= 0) {
    port_ = 0;
    return make_error("cannot listen on " + where +
                      ": the port is in use or the address is not this host's");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing to a server whose loop has not started yet, and a stop()
  // right after start() would then wait forever for the thread.
  while (!server_->is_running()) std::this_thread::yield();
  return ok_status();
}

bool HttpEndpoint::has_verified_client_cert(const httplib::Request& request) {
  if (request.ssl == nullptr) return false;
  X509* peer = SSL_get_peer_certificate(request.ssl);
  if (peer == nullptr) return false;
  X509_free(peer);
  return SSL_get_verify_result(request.ssl) == X509_V_OK;
}

void HttpEndpoint::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace tailor::common
