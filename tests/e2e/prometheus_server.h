#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/util/result.h"
#include "tests/support/process.h"

namespace tailor::e2e {

// A real Prometheus server (Debian's) on 127.0.0.1 with a configuration of the test's, its
// data in `dir`. Stopped (SIGTERM, then waited for) when destroyed.
class PrometheusServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/prometheus";

  // Returns once /-/ready answers 200, or an error with Prometheus' log.
  static common::Result<std::unique_ptr<PrometheusServer>> start(const std::string& config_yaml,
                                                                 const std::filesystem::path& dir);
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // /api/v1/query (instant) and /api/v1/series: the "data" of a successful answer.
  common::Result<nlohmann::json> query(const std::string& promql);
  common::Result<nlohmann::json> series(const std::string& match);
  std::string log() const;

 private:
  PrometheusServer(int port, testing::RunningProcess process)
      : port_(port), process_(std::move(process)) {}
  common::Result<nlohmann::json> get(const std::string& path, const std::string& param,
                                     const std::string& value);

  int port_;
  testing::RunningProcess process_;
};

}  // namespace tailor::e2e
