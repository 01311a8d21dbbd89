#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::bench {

// One line on stderr and exit 1: a bench that cannot set itself up has no figure to give.
[[noreturn]] void die(const std::string& message);

void pin_to_cpu(int cpu);

// The real tailor-aggregator as the benches drive it: pinned to CPU 0, serving TLS on a port
// of its own, reviewing tokens at a test API server (which also receives its SeccompProfiles).
// Any failure to start ends the bench (die).
class AggregatorProcess {
 public:
  AggregatorProcess(const std::string& binary, const std::vector<std::string>& extra_args);
  ~AggregatorProcess();
  AggregatorProcess(const AggregatorProcess&) = delete;
  AggregatorProcess& operator=(const AggregatorProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return process_.pid; }
  const std::string& ca_file() const { return ca_file_; }
  testbed::TestApiServer& api_server() { return *server_; }

  // A token of the tailor-agent service account bound to an agent pod on `node`.
  std::string node_token(const std::string& node);
  // A keep-alive client that verifies the aggregator's certificate.
  std::unique_ptr<httplib::SSLClient> connect() const;
  // The aggregator's /metrics text; empty when it does not answer.
  std::string scrape() const;
  // SIGTERM, then its exit status and what it printed.
  testing::ProcessResult stop();

 private:
  std::unique_ptr<testbed::TestApiServer> server_;
  std::string ca_file_;
  testing::RunningProcess process_;
  int port_ = 0;
  bool stopped_ = false;
};

// The value of one series in a Prometheus text scrape, 0 when absent.
double metric(const std::string& metrics, const std::string& series);

}  // namespace tailor::bench
