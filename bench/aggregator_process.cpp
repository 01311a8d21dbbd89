#include "bench/aggregator_process.h"

#include <sched.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "common/util/file.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/tls_material.h"

namespace tailor::bench {

void die(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  std::exit(1);
}

void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0)
    die("cannot pin the load to CPU " + std::to_string(cpu));
}

AggregatorProcess::AggregatorProcess(const std::string& binary,
                                     const std::vector<std::string>& extra_args) {
  auto server = testbed::TestApiServer::start({});
  if (!server) die(server.error().message);
  server_ = std::move(*server);
  auto tls = testbed::generate_tls_material();
  if (!tls) die(tls.error().message);
  const std::string dir = server_->work_dir();
  ca_file_ = dir + "/agg-ca.pem";
  for (const auto& [path, pem] : {std::pair{ca_file_, tls->ca_cert_pem},
                                  {dir + "/agg.pem", tls->cert_pem},
                                  {dir + "/agg.key", tls->key_pem}}) {
    if (auto written = testbed::write_private_file(path, pem); !written)
      die(written.error().message);
  }
  std::vector<std::string> argv = {"/usr/bin/taskset", "-c", "0", binary, "--listen", "127.0.0.1:0",
                                   "--tls-cert", dir + "/agg.pem", "--tls-key", dir + "/agg.key",
                                   "--kubeconfig", server_->kubeconfig_path(),
                                   // Its web view on any free port: another may hold 8081.
                                   "--ui-listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = testing::start_process(argv);
  // Ready when it logs its port; it exits at once on a bad flag.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
    const auto log = common::read_file(process_.err_path);
    if (log) {
      if (const auto at = log->find("serving on port "); at != std::string::npos)
        port_ = std::atoi(log->c_str() + at + 16);
    }
    if (port_ == 0 && kill(process_.pid, 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port_ == 0) {
    kill(process_.pid, SIGKILL);
    stopped_ = true;
    die("the aggregator did not start: " + process_.wait().err);
  }
}

AggregatorProcess::~AggregatorProcess() {
  if (stopped_) return;
  kill(process_.pid, SIGKILL);
  process_.wait();
}

std::string AggregatorProcess::node_token(const std::string& node) {
  auto token = testbed::agent_token(*server_, node);
  if (!token) die(token.error().message);
  return *token;
}

std::unique_ptr<httplib::SSLClient> AggregatorProcess::connect() const {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
  client->set_ca_cert_path(ca_file_.c_str());
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(std::chrono::seconds(30));
  client->set_read_timeout(std::chrono::seconds(60));
  client->set_write_timeout(std::chrono::seconds(60));
  return client;
}

std::string AggregatorProcess::scrape() const {
  auto answer = connect()->Get("/metrics");
  return answer ? answer->body : std::string();
}

testing::ProcessResult AggregatorProcess::stop() {
  kill(process_.pid, SIGTERM);
  stopped_ = true;
  return process_.wait();
}

double metric(const std::string& metrics, const std::string& series) {
  const auto at = metrics.find("\n" + series + " ");
  return at == std::string::npos ? 0 : std::atof(metrics.c_str() + at + series.size() + 2);
}

}  // namespace tailor::bench
