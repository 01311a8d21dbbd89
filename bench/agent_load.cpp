// The node agent under load: N recorded containers on one node making, all
// together, R syscalls a second; prints the agent's resident memory and CPU.
// Containers are kubelet-style cgroups with a process each and a Pod object in
// the test API server (no runtime: the agent's work does not depend on one).
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/recorder.h"
#include "agent/recorder/spawn.h"
#include "bench/process_figures.h"
#include "tests/support/process.h"
#include "tests/testbed/test_api_server.h"
#include "tests/testbed/tls_material.h"

namespace {

using tailor::bench::process_figures;

using tailor::agent::Cgroup2;
using tailor::agent::OwnedCgroup;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  std::exit(1);
}

std::string hex_id(int i) {
  char id[65];
  std::snprintf(id, sizeof(id), "%064x", 0xbe00 + i);
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  const int containers = argc > 1 ? std::atoi(argv[1]) : 200;
  const int rate = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 30;
  if (geteuid() != 0) die("needs root (runs the agent, creates cgroups)");

  auto server = tailor::testbed::TestApiServer::start({});
  if (!server) die(server.error().message);
  auto tls = tailor::testbed::generate_tls_material();
  if (!tls) die(tls.error().message);
  const std::string dir = (*server)->work_dir();
  (void)tailor::testbed::write_private_file(dir + "/agg-ca.pem", tls->ca_cert_pem);
  (void)tailor::testbed::write_private_file(dir + "/agg.pem", tls->cert_pem);
  (void)tailor::testbed::write_private_file(dir + "/agg.key", tls->key_pem);
  httplib::SSLServer aggregator((dir + "/agg.pem").c_str(), (dir + "/agg.key").c_str());
  aggregator.Post("/api/v1/deltas", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("{}", "application/json");
  });
  const int aggregator_port = aggregator.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { aggregator.listen_after_bind(); });

  (void)(*server)->put_object(
      "v1", "namespaces",
      {{"apiVersion", "v1"},
       {"kind", "Namespace"},
       {"metadata", {{"name", "bench"}, {"labels", {{"tailor.dev/record", "true"}}}}}});
  auto cgroups = Cgroup2::detect();
  if (!cgroups) die(cgroups.error().message);
  const std::string node_root = "/tailor-bench-agent-" + std::to_string(getpid());
  if (!cgroups->create(node_root)) die("cannot create " + node_root);
  OwnedCgroup owned(*cgroups, node_root);
  std::vector<pid_t> workloads;
  for (int i = 0; i < containers; ++i) {
    const std::string uid = "00000000-0000-0000-0000-" + hex_id(i).substr(52);
    const std::string path = node_root + "/kubepods/besteffort/pod" + uid + "/" + hex_id(i);
    if (!cgroups->create(path)) die("cannot create " + path);
    nlohmann::json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", "load-" + std::to_string(i)}, {"namespace", "bench"}, {"uid", uid}}},
        {"spec",
         {{"nodeName", "bench-node"}, {"containers", {{{"name", "main"}, {"image", "busybox"}}}}}},
        {"status",
         {{"containerStatuses",
           {{{"name", "main"}, {"containerID", "containerd://" + hex_id(i)}}}}}}};
    if (auto put = (*server)->put_object("v1", "pods", pod); !put) die(put.error().message);
    auto pid = tailor::agent::spawn_in_cgroup(
        cgroups->absolute(path), TAILOR_TEST_WORKLOAD,
        {TAILOR_TEST_WORKLOAD, "steady", std::to_string(rate / containers)});
    if (!pid) die(pid.error().message);
    workloads.push_back(*pid);
  }

  const std::string pins = "/sys/fs/bpf/tailor-bench-" + std::to_string(getpid());
  auto agent = tailor::testing::start_process(
      {TAILOR_BIN,        "agent",
       "--node-name",     "bench-node",
       "--aggregator",    "https://127.0.0.1:" + std::to_string(aggregator_port),
       "--aggregator-ca", dir + "/agg-ca.pem",
       "--kubeconfig",    (*server)->kubeconfig_path(),
       "--cgroup-root",   node_root,
       "--pin-dir",       pins,
       "--spool-dir",     dir + "/spool",
       "--listen-port",   "0",
       "--interval",      "2"});
  std::this_thread::sleep_for(std::chrono::seconds(5));  // start-up and first attribution
  const auto before = process_figures(agent.pid);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const auto after = process_figures(agent.pid);
  // What the agent says it records, so the figures are known to be of real work.
  std::string tracked = "?";
  {
    std::ifstream log(agent.err_path);
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    const auto at = text.find("on port ");
    if (at != std::string::npos) {
      httplib::Client metrics("127.0.0.1", std::stoi(text.substr(at + 8)));
      if (auto scraped = metrics.Get("/metrics")) {
        const auto line = scraped->body.find("\ntailor_agent_tracked_containers ");
        if (line != std::string::npos)
          tracked = scraped->body.substr(line + 33, scraped->body.find('\n', line + 1) - line - 33);
      }
    }
  }

  kill(agent.pid, SIGTERM);
  auto result = agent.wait();
  for (pid_t pid : workloads) kill(pid, SIGKILL);
  for (pid_t pid : workloads) tailor::agent::wait_for_exit(pid);
  aggregator.stop();
  serving.join();
  (void)tailor::agent::Recorder::unpin(pins);

  std::printf("agent under load: %d containers, about %d syscalls/s in all, %d s measured\n",
              containers, rate, seconds);
  std::printf("  containers the agent was recording: %s\n", tracked.c_str());
  std::printf("  CPU: %.2f%% of one core (target < 2%%)\n",
              100.0 * (after.cpu_s - before.cpu_s) / seconds);
  std::printf("  peak RSS: %.1f MiB (target < 50 MiB)\n", after.peak_rss_kib / 1024.0);
  std::printf("  agent exit status after SIGTERM: %d\n", result.exit_status);
  std::printf("reproduce: sudo %s %d %d %d\n", argv[0], containers, rate, seconds);
  return 0;
}
