// The aggregator under load (issue 6): N simulated nodes with C containers each, the
// containers being replicas of W workloads, send delta batches over keep-alive HTTPS to the
// real tailor-aggregator pinned to CPU 0; this process (load, test API server) runs on CPU 1.
// Prints warm-up and steady-state batches/s and reports/s, the aggregator's CPU and peak
// RSS, and how long a new syscall takes to reach its SeccompProfile (p50/p99).
//
// A report is one workload container's entry in a batch (workloads[i] of the wire format):
// a node's batch carries one report per container it runs.
#include <httplib.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "aggregator/writer/profile_names.h"
#include "bench/process_figures.h"
#include "common/syscalls/names.h"
#include "common/util/clock.h"
#include "common/wire/delta.h"
#include "tests/support/process.h"
#include "tests/testbed/test_api_server.h"
#include "tests/testbed/tls_material.h"

namespace {

using tailor::bench::process_figures;
using tailor::bench::ProcessFigures;

using steady = std::chrono::steady_clock;
using tailor::common::Delta;
using tailor::common::DeltaSyscall;
using tailor::common::WorkloadDelta;
using tailor::common::WorkloadKey;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  std::exit(1);
}

struct Shape {
  int nodes = 5000;
  int containers_per_node = 50;
  int workloads = 5000;
  int seconds = 30;
  int connections = 6;       // below the aggregator's 8 server threads, so injections get one
  double reports_per_s = 0;  // 0: as fast as the aggregator takes them
};

constexpr int kSyscallsPerWorkload = 60;
constexpr int kFirstReportSyscalls = 40;  // a container's first report: most of its set
constexpr int kSyscallsPerReport = 3;     // later reports: a few with grown counts
constexpr uint32_t kSocket = 41;          // carries argument values (family)
constexpr int kInjectionsPerSecond = 5;
// The test API server serves v1, so the aggregator's discovery picks it.
constexpr const char* kProfileVersion = "security-profiles-operator.x-k8s.io/v1";

struct Node {
  std::string name;
  std::string agent_id;
  std::string token;
  std::atomic<uint64_t> seq{0};
  std::atomic<bool> warm{false};
};

struct Injection {
  WorkloadKey key;
  std::string syscall;
  steady::time_point sent;
};

void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) die("cannot pin the load to CPU 1");
}

class Load {
 public:
  explicit Load(const Shape& shape) : shape_(shape) {
    for (uint32_t nr = 0; nr < 460; ++nr) {
      auto name = tailor::common::syscall_name("x86_64", nr);
      if (!name || !*name) continue;
      // Workloads draw from the first 300; injections from the rest, which no report has.
      (nr < 300 ? background_ : injectable_).push_back({nr, **name});
    }
    for (int w = 0; w < shape.workloads; ++w) {
      std::mt19937 random(w);
      std::vector<std::pair<uint32_t, std::string>> pool = background_;
      std::shuffle(pool.begin(), pool.end(), random);
      pool.resize(kSyscallsPerWorkload);
      if (std::none_of(pool.begin(), pool.end(), [](auto& s) { return s.first == kSocket; }))
        pool.back() = {kSocket, "socket"};
      sets_.push_back(std::move(pool));
    }
  }

  WorkloadKey key(int workload) const {
    return {"bench-" + std::to_string(workload % 50), "Deployment",
            "app-" + std::to_string(workload), "main"};
  }
  int workload_of(int node, int container) const {
    return (node * shape_.containers_per_node + container) % shape_.workloads;
  }
  const std::vector<std::pair<uint32_t, std::string>>& injectable() const { return injectable_; }

  // The node's batch `seq`: its containers' first reports for seq 1, else small deltas.
  Delta batch(const Node& node, int index, uint64_t seq) const {
    Delta delta;
    delta.node = node.name;
    delta.agent = {node.agent_id, 1714564800000};
    delta.seq = seq;
    std::mt19937 random(static_cast<uint32_t>(index * 7919 + seq));
    for (int c = 0; c < shape_.containers_per_node; ++c) {
      const int w = workload_of(index, c);
      const auto& set = sets_[w];
      WorkloadDelta report;
      report.key = key(w);
      std::vector<std::size_t> picked;
      if (seq == 1) {
        char uid[40];
        std::snprintf(uid, sizeof(uid), "%08x-0000-4000-8000-%012x", index, c);
        report.pods.push_back(uid);
        for (std::size_t i = 0; i < kFirstReportSyscalls; ++i)
          picked.push_back((i + c) % set.size());
      } else {
        for (int i = 0; i < kSyscallsPerReport; ++i) picked.push_back(random() % set.size());
      }
      std::sort(picked.begin(), picked.end());
      picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
      for (std::size_t i : picked) {
        DeltaSyscall syscall{
            "x86_64",     set[i].first,          set[i].second, tailor::common::Phase::workload,
            seq * 10 + i, 1714564800100 + index, std::nullopt};
        // One report in ten carries an argument value of socket, now and then a new one.
        if (set[i].first == kSocket && random() % 10 == 0) {
          tailor::common::RecordedArg arg;
          arg.index = 0;
          arg.values[1 + random() % 40] = seq;
          arg.complete = true;
          syscall.arg = std::move(arg);
        }
        report.syscalls.push_back(std::move(syscall));
      }
      delta.workloads.push_back(std::move(report));
    }
    return delta;
  }

 private:
  Shape shape_;
  std::vector<std::pair<uint32_t, std::string>> background_;
  std::vector<std::pair<uint32_t, std::string>> injectable_;
  std::vector<std::vector<std::pair<uint32_t, std::string>>> sets_;
};

std::unique_ptr<httplib::SSLClient> connect(int port, const std::string& ca) {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  client->set_ca_cert_path(ca.c_str());
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(std::chrono::seconds(30));
  client->set_read_timeout(std::chrono::seconds(60));
  client->set_write_timeout(std::chrono::seconds(60));
  return client;
}

// What one POST got: 0 when nothing answered.
int post(httplib::SSLClient& client, const Node& node, const Delta& delta) {
  auto answer = client.Post("/api/v1/deltas", {{"Authorization", "Bearer " + node.token}},
                            tailor::common::encode_delta(delta), "application/json");
  return answer ? answer->status : 0;
}

bool profile_has(const tailor::testbed::TestApiServer& server, const WorkloadKey& key,
                 const std::string& syscall) {
  auto object = server.get_object(kProfileVersion, "seccompprofiles", "",
                                  tailor::aggregator::profile_name(key));
  if (!object) return false;
  for (const auto& rule : (*object)["spec"].value("syscalls", nlohmann::json::array())) {
    for (const auto& name : rule.value("names", nlohmann::json::array()))
      if (name == syscall) return true;
  }
  return false;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t at =
      std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5));
  return values[at];
}

std::string scrape_line(const std::string& metrics, const std::string& prefix) {
  std::string lines;
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) lines += "    " + line + "\n";
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  Shape shape;
  if (argc > 1) shape.nodes = std::atoi(argv[1]);
  if (argc > 2) shape.containers_per_node = std::atoi(argv[2]);
  if (argc > 3) shape.workloads = std::atoi(argv[3]);
  if (argc > 4) shape.seconds = std::atoi(argv[4]);
  if (argc > 5) shape.connections = std::atoi(argv[5]);
  if (argc > 6) shape.reports_per_s = std::atof(argv[6]);
  if (shape.nodes < 1 || shape.containers_per_node < 1 || shape.workloads < 1 ||
      shape.seconds < 1 || shape.connections < 1 || shape.containers_per_node > shape.workloads) {
    die("usage: " + std::string(argv[0]) +
        " [nodes containers-per-node workloads seconds connections reports-per-s(0: max)]");
  }
  if (std::thread::hardware_concurrency() < 2) {
    std::fprintf(stderr,
                 "bench: skipped: needs two CPUs, one for the aggregator, one for the load\n");
    return 77;
  }
  pin_to_cpu(1);

  auto server = tailor::testbed::TestApiServer::start({});
  if (!server) die(server.error().message);
  auto tls = tailor::testbed::generate_tls_material();
  if (!tls) die(tls.error().message);
  const std::string dir = (*server)->work_dir();
  const std::string ca = dir + "/agg-ca.pem";
  (void)tailor::testbed::write_private_file(ca, tls->ca_cert_pem);
  (void)tailor::testbed::write_private_file(dir + "/agg.pem", tls->cert_pem);
  (void)tailor::testbed::write_private_file(dir + "/agg.key", tls->key_pem);

  Load load(shape);
  std::vector<Node> nodes(shape.nodes);
  for (int i = 0; i < shape.nodes; ++i) {
    Node& node = nodes[i];
    node.name = "node-" + std::to_string(i);
    char id[40];
    std::snprintf(id, sizeof(id), "0d3c6f8e-5d1b-4c43-9a0e-%012x", i);
    node.agent_id = id;
    const std::string pod = "tailor-agent-" + node.name;
    const std::string uid = "uid-" + pod;
    auto put = (*server)->put_object(
        "v1", "pods",
        {{"apiVersion", "v1"},
         {"kind", "Pod"},
         {"metadata", {{"name", pod}, {"namespace", "tailor"}, {"uid", uid}}},
         {"spec",
          {{"nodeName", node.name}, {"containers", {{{"name", "agent"}, {"image", "t"}}}}}}});
    if (!put) die(put.error().message);
    node.token = (*server)->issue_service_account_token("tailor", "tailor-agent", pod, uid,
                                                        node.name, "tailor-aggregator");
  }

  // The per-node limit is lifted: the load generator sends a node's batches back to back,
  // which a real agent (a batch every few seconds) never does.
  auto aggregator = tailor::testing::start_process(
      {"/usr/bin/taskset", "-c", "0", TAILOR_AGGREGATOR_BIN, "--listen", "127.0.0.1:0",
       "--tls-cert", dir + "/agg.pem", "--tls-key", dir + "/agg.key", "--kubeconfig",
       (*server)->kubeconfig_path(), "--rate", "1000000", "--burst", "1000000"});
  int port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream log(aggregator.err_path);
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    if (auto at = text.find("serving on port "); at != std::string::npos)
      port = std::atoi(text.c_str() + at + 16);
  }
  if (port == 0) {
    kill(aggregator.pid, SIGKILL);
    die("the aggregator did not start: " + aggregator.wait().err);
  }

  std::atomic<bool> stop{false};
  std::atomic<bool> measuring{false};
  std::atomic<long> batches{0}, reports{0}, refused{0};
  std::atomic<long> review_limited{0};
  std::atomic<std::size_t> next{0};

  // Warm-up: every node's first batch (its containers' first reports) accepted once. Each
  // node has a token of its own, so this is also when the aggregator reviews them all.
  const auto warm_start = steady::now();
  {
    std::vector<std::thread> workers;
    for (int c = 0; c < shape.connections; ++c) {
      workers.emplace_back([&] {
        auto client = connect(port, ca);
        for (std::size_t i; (i = next++) < nodes.size();) {
          Node& node = nodes[i];
          for (;;) {
            const int status = post(*client, node, load.batch(node, int(i), 1));
            if (status == 200) break;
            if (status == 429) {
              ++review_limited;
              std::this_thread::sleep_for(std::chrono::milliseconds(200));
              continue;
            }
            ++refused;
            if (status == 0) client = connect(port, ca);
          }
          node.seq = 1;
          node.warm = true;
          ++batches;
          reports += shape.containers_per_node;
        }
      });
    }
    for (auto& worker : workers) worker.join();
  }
  const double warm_s = std::chrono::duration<double>(steady::now() - warm_start).count();
  const long warm_batches = batches.exchange(0);
  const long warm_reports = reports.exchange(0);
  const long warm_limited = review_limited.exchange(0);
  const ProcessFigures after_warm = process_figures(aggregator.pid);

  // Steady state: every node in turn sends its next batch; meanwhile new syscalls are
  // injected into one workload each and timed until they are in its SeccompProfile.
  std::mutex injections_mu;
  std::vector<Injection> pending;
  std::vector<double> latencies;
  long injected = 0;
  std::vector<std::thread> workers;
  const double batches_per_s = shape.reports_per_s / shape.containers_per_node;
  const auto steady_start = steady::now();
  std::atomic<long> paced{0};
  for (int c = 0; c < shape.connections; ++c) {
    workers.emplace_back([&] {
      auto client = connect(port, ca);
      while (!stop) {
        if (batches_per_s > 0) {
          const auto due =
              steady_start + std::chrono::duration_cast<steady::duration>(
                                 std::chrono::duration<double>(paced++ / batches_per_s));
          std::this_thread::sleep_until(due);
        }
        const std::size_t i = next++ % nodes.size();
        Node& node = nodes[i];
        const int status = post(*client, node, load.batch(node, int(i), ++node.seq));
        if (status == 200) {
          if (measuring) {
            ++batches;
            reports += shape.containers_per_node;
          }
        } else {
          if (status == 429)
            ++review_limited;
          else
            ++refused;
          if (status == 0) client = connect(port, ca);
        }
      }
    });
  }
  std::thread injector([&] {
    auto client = connect(port, ca);
    std::mt19937 random(42);
    int round = 0;
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1000 / kInjectionsPerSecond));
      if (!measuring) continue;
      // One workload per injection (round robin), so every injected name is new to it.
      const int w = round % shape.workloads;
      const auto& syscall = load.injectable()[(round / shape.workloads) % load.injectable().size()];
      ++round;
      const int index = int(random() % nodes.size());
      Node& node = nodes[index];
      Delta delta;
      delta.node = node.name;
      delta.agent = {node.agent_id, 1714564800000};
      delta.seq = ++node.seq;
      WorkloadDelta report;
      report.key = load.key(w);
      report.syscalls.push_back({"x86_64", syscall.first, syscall.second,
                                 tailor::common::Phase::workload, 1, tailor::common::unix_now_ms(),
                                 std::nullopt});
      delta.workloads.push_back(report);
      const auto sent = steady::now();
      const int status = post(*client, node, delta);
      if (status != 200) {
        if (status == 0) client = connect(port, ca);
        continue;
      }
      std::lock_guard lock(injections_mu);
      pending.push_back({report.key, syscall.second, sent});
      ++injected;
    }
  });
  std::atomic<bool> watching{true};
  std::thread watcher([&] {
    while (watching) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::vector<Injection> check;
      {
        std::lock_guard lock(injections_mu);
        check = pending;
      }
      for (const auto& injection : check) {
        if (!profile_has(**server, injection.key, injection.syscall)) continue;
        const double seconds =
            std::chrono::duration<double>(steady::now() - injection.sent).count();
        std::lock_guard lock(injections_mu);
        latencies.push_back(seconds);
        std::erase_if(pending, [&](const Injection& p) {
          return p.key == injection.key && p.syscall == injection.syscall;
        });
      }
    }
  });

  // Warm-up leaves the writer a profile to create for every workload: measuring starts once
  // they are all written, under the steady load, so the window's latencies are not that queue.
  const auto backlog_start = steady::now();
  while (steady::now() - backlog_start < std::chrono::minutes(15) &&
         (*server)->list_objects(kProfileVersion, "seccompprofiles").size() <
             static_cast<std::size_t>(shape.workloads)) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const double backlog_s = std::chrono::duration<double>(steady::now() - backlog_start).count();
  batches = 0;
  reports = 0;
  const long limited_before = review_limited.exchange(0);
  const long refused_before = refused.exchange(0);
  const ProcessFigures before = process_figures(aggregator.pid);
  const auto window_start = steady::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::seconds(shape.seconds));
  measuring = false;
  const double window_s = std::chrono::duration<double>(steady::now() - window_start).count();
  const ProcessFigures after = process_figures(aggregator.pid);
  const long steady_batches = batches, steady_reports = reports;
  stop = true;
  for (auto& worker : workers) worker.join();
  injector.join();
  // Injections still pending get their chance to land, with the load off.
  for (int i = 0; i < 300; ++i) {
    {
      std::lock_guard lock(injections_mu);
      if (pending.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  watching = false;
  watcher.join();

  std::string metrics;
  if (auto scraped = connect(port, ca)->Get("/metrics")) metrics = scraped->body;
  kill(aggregator.pid, SIGTERM);
  const auto exited = aggregator.wait();

  const int reports_per_batch = shape.containers_per_node;
  std::printf(
      "aggregator under load: %d nodes x %d containers = %d containers, %d workloads, "
      "%d connections, %s\n",
      shape.nodes, shape.containers_per_node, shape.nodes * shape.containers_per_node,
      shape.workloads, shape.connections,
      shape.reports_per_s > 0
          ? ("offered " + std::to_string(int(shape.reports_per_s)) + " reports/s").c_str()
          : "as fast as accepted");
  std::printf(
      "  a report: one container's entry in a batch; a batch: one node's POST, %d reports\n",
      reports_per_batch);
  std::printf(
      "  warm-up (every node's first batch, %d syscalls per report, every token reviewed): "
      "%.1f s, %.0f batches/s, %.0f reports/s, %ld answers 429 review_rate_limited, "
      "aggregator CPU %.1f s\n",
      kFirstReportSyscalls, warm_s, warm_batches / warm_s, warm_reports / warm_s, warm_limited,
      after_warm.cpu_s);
  std::printf(
      "  every workload's first SeccompProfile written %.1f s after warm-up, under the "
      "steady load\n",
      backlog_s);
  std::printf(
      "  steady state (%d syscalls per report), %.1f s measured: %.0f batches/s, "
      "%.0f reports/s (target >= 20000)\n",
      kSyscallsPerReport, window_s, steady_batches / window_s, steady_reports / window_s);
  std::printf("  aggregator CPU in the window: %.0f%% of its one core\n",
              100.0 * (after.cpu_s - before.cpu_s) / window_s);
  std::printf("  not accepted in the window: %ld x 429, %ld other\n", review_limited.load(),
              refused.load());
  std::printf("  aggregator RSS: %.1f MiB now, %.1f MiB peak (target < 500 MiB)\n",
              after.rss_kib / 1024.0, after.peak_rss_kib / 1024.0);
  std::printf(
      "  new syscall to its SeccompProfile (debounce 2 s included): %zu of %ld landed, "
      "p50 %.2f s, p99 %.2f s, max %.2f s (target p99 <= 5 s)\n",
      latencies.size(), injected, percentile(latencies, 0.5), percentile(latencies, 0.99),
      percentile(latencies, 1.0));
  std::printf("  aggregator metrics at the end:\n%s%s",
              scrape_line(metrics, "tailor_aggregator_crd_writes_total").c_str(),
              scrape_line(metrics, "tailor_aggregator_workloads_tracked").c_str());
  std::printf("  aggregator exit status after SIGTERM: %d\n", exited.exit_status);
  std::printf("reproduce: %s %d %d %d %d %d %g\n", argv[0], shape.nodes, shape.containers_per_node,
              shape.workloads, shape.seconds, shape.connections, shape.reports_per_s);
  (void)limited_before;
  (void)refused_before;
  const bool sound = steady_batches > 0 && !latencies.empty() &&
                     latencies.size() == static_cast<std::size_t>(injected) &&
                     exited.exit_status == 0;
  if (!sound) std::fprintf(stderr, "bench: the run is not sound (see above)\n");
  return sound ? 0 : 1;
}
