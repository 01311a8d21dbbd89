#include "tests/e2e/prometheus_server.h"

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "common/util/file.h"
#include "tests/support/port.h"

namespace tailor::e2e {

common::Result<std::unique_ptr<PrometheusServer>> PrometheusServer::start(
    const std::string& config_yaml, const std::filesystem::path& dir) {
  const std::string config = (dir / "prometheus.yml").string();
  if (auto written = common::write_file_atomically(config, config_yaml); !written)
    return written.error();
  // Prometheus cannot listen on port 0.
  auto port = testing::free_port();
  if (!port) return port.error();
  std::unique_ptr<PrometheusServer> server(new PrometheusServer(
      *port, testing::start_process({kBinary, "--config.file=" + config,
                                     "--storage.tsdb.path=" + (dir / "data").string(),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(*port)})));
  httplib::Client client("127.0.0.1", *port);
  for (int i = 0; i < 300; ++i) {
    if (auto ready = client.Get("/-/ready"); ready && ready->status == 200) return server;
    if (::kill(server->process_.pid, 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return common::make_error("Prometheus did not become ready:\n" + server->log());
}

PrometheusServer::~PrometheusServer() {
  ::kill(process_.pid, SIGTERM);
  process_.wait();
}

std::string PrometheusServer::log() const {
  auto text = common::read_file(process_.err_path);
  return text ? *text : "";
}

common::Result<nlohmann::json> PrometheusServer::query(const std::string& promql) {
  return get("/api/v1/query", "query", promql);
}

common::Result<nlohmann::json> PrometheusServer::series(const std::string& match) {
  return get("/api/v1/series", "match[]", match);
}

common::Result<nlohmann::json> PrometheusServer::get(const std::string& path,
                                                     const std::string& param,
                                                     const std::string& value) {
  httplib::Client client("127.0.0.1", port_);
  const auto response = client.Get(path, httplib::Params{{param, value}}, httplib::Headers{});
  if (!response) return common::make_error(path + ": " + httplib::to_string(response.error()));
  const auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (body.is_discarded() || body.value("status", "") != "success")
    return common::make_error(path + " " + value + ": HTTP " + std::to_string(response->status) +
                              " " + response->body);
  return body.at("data");
}

}  // namespace tailor::e2e
