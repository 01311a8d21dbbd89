#include "common/metrics/http_endpoint.h"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/metrics/http_server.h"

namespace tailor::common {
namespace {

constexpr const char* kExpositionType = "text/plain; version=0.0.4";

}  // namespace

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::create(
    HttpEndpointOptions options, std::shared_ptr<prometheus::Registry> registry,
    ReadinessCheck ready) {
  auto server = HttpServer::create(options, *registry);
  if (!server) return server.error();
  std::unique_ptr<HttpEndpoint> endpoint(
      new HttpEndpoint(std::move(registry), std::move(ready), std::move(*server)));
  endpoint->add_routes();
  return endpoint;
}

HttpEndpoint::HttpEndpoint(std::shared_ptr<prometheus::Registry> registry, ReadinessCheck ready,
                           std::unique_ptr<HttpServer> server)
    : registry_(std::move(registry)), ready_(std::move(ready)), server_(std::move(server)) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::get(std::string path, HttpHandler handler) {
  server_->routes().add("GET", std::move(path), {.handler = std::move(handler)});
}

void HttpEndpoint::get_prefix(std::string prefix, HttpHandler handler) {
  server_->routes().add_prefix("GET", std::move(prefix), {.handler = std::move(handler)});
}

void HttpEndpoint::post(std::string path, HttpHandler handler) {
  server_->routes().add("POST", std::move(path), {.handler = std::move(handler)});
}

void HttpEndpoint::post_streamed(std::string path, std::size_t body_limit, AdmitHandler admit) {
  server_->routes().add("POST", std::move(path),
                        {.admit = std::move(admit), .body_limit = body_limit});
}

void HttpEndpoint::add_routes() {
  get("/metrics", [this](const HttpRequest&, HttpResponse& response) {
    response.set_content(prometheus::TextSerializer().Serialize(registry_->Collect()),
                         kExpositionType);
  });
  get("/healthz", [](const HttpRequest&, HttpResponse& response) {
    response.set_content("ok\n", "text/plain");
  });
  get("/readyz", [this](const HttpRequest&, HttpResponse& response) {
    const Status ready = ready_ ? ready_() : ok_status();
    if (ready.ok()) {
      response.set_content("ok\n", "text/plain");
    } else {
      response.status = 503;
      response.set_content(ready.error().message + "\n", "text/plain");
    }
  });
}

Status HttpEndpoint::start() {
  auto port = server_->start();
  if (!port) return port.error();
  port_ = *port;
  return ok_status();
}

void HttpEndpoint::stop() { server_->stop(); }

}  // namespace tailor::common
