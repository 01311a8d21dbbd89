// The aggregator under load (issue 6): N simulated nodes with C containers each, the
// containers being replicas of W workloads, send delta batches over keep-alive HTTPS to the
// real tailor-aggregator pinned to CPU 0; this process (load, test API server) runs on CPU 1.
// Prints warm-up and steady-state batches/s and reports/s, the aggregator's CPU and peak
// RSS, and how long a new syscall takes to reach its SeccompProfile (p50/p99), injected 50
// times a second into as many workloads. "converged" (the default): first reports carry
// each container's whole set, so profiles change only by injections; "converging": 5,000
// profiles still growing at once (bench/load_shape.h).
//
// A report is one workload container's entry in a batch (workloads[i] of the wire format):
// a node's batch carries one report per container it runs.
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "bench/aggregator_process.h"
#include "bench/load_shape.h"
#include "bench/process_figures.h"
#include "common/k8s/profile_names.h"
#include "common/util/clock.h"
#include "common/wire/delta.h"
#include "tests/testbed/test_api_server.h"

namespace {

using tailor::bench::AggregatorProcess;
using tailor::bench::die;
using tailor::bench::metric;
using tailor::bench::pin_to_cpu;
using tailor::bench::process_figures;
using tailor::bench::ProcessFigures;

using steady = std::chrono::steady_clock;
using tailor::common::Delta;
using tailor::common::WorkloadDelta;
using tailor::common::WorkloadKey;

struct Options {
  tailor::bench::Shape shape;
  int seconds = 30;
  int connections = 6;       // below the aggregator's 8 server threads, so injections get one
  double reports_per_s = 0;  // 0: as fast as the aggregator takes them
  bool converging = false;   // profiles still growing (kConverging), else kConverged
};

constexpr int kInjectionsPerSecond = 50;
// The test API server serves v1, so the aggregator's discovery picks it.
constexpr const char* kProfileVersion = "security-profiles-operator.x-k8s.io/v1";

struct Node {
  std::string name;
  std::string token;
  std::atomic<uint64_t> seq{0};
};

struct Injection {
  WorkloadKey key;
  std::string syscall;
  steady::time_point sent;
};

// What one POST got: 0 when nothing answered.
int post(httplib::SSLClient& client, const Node& node, const std::string& body) {
  auto answer = client.Post("/api/v1/deltas", {{"Authorization", "Bearer " + node.token}}, body,
                            "application/json");
  return answer ? answer->status : 0;
}

// The load is written by LoadShape::encoded_batch, not encode_delta: checked here to be the
// same bytes, so the figures are of the wire format agents send.
void check_encoding(const tailor::bench::LoadShape& load, const tailor::bench::Growth& growth) {
  const int nodes = load.shape().nodes;
  for (int index : {0, nodes / 2, nodes - 1}) {
    for (uint64_t seq : {1, 2, 3, 1000}) {
      if (load.encoded_batch(index, seq, growth) !=
          tailor::common::encode_delta(load.batch(index, seq, growth)))
        die("LoadShape::encoded_batch differs from encode_delta for node " + std::to_string(index) +
            " batch " + std::to_string(seq));
    }
  }
}

bool profile_has(const tailor::testbed::TestApiServer& server, const WorkloadKey& key,
                 const std::string& syscall) {
  auto object =
      server.get_object(kProfileVersion, "seccompprofiles", "", tailor::common::profile_name(key));
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
  Options options;
  tailor::bench::Shape& shape = options.shape;
  if (argc > 1) shape.nodes = std::atoi(argv[1]);
  if (argc > 2) shape.containers_per_node = std::atoi(argv[2]);
  if (argc > 3) shape.workloads = std::atoi(argv[3]);
  if (argc > 4) options.seconds = std::atoi(argv[4]);
  if (argc > 5) options.connections = std::atoi(argv[5]);
  if (argc > 6) options.reports_per_s = std::atof(argv[6]);
  if (argc > 7) options.converging = std::string(argv[7]) == "converging";
  if ((argc > 7 && !options.converging && std::string(argv[7]) != "converged") || shape.nodes < 1 ||
      shape.containers_per_node < 1 || shape.workloads < 1 || options.seconds < 1 ||
      options.connections < 1 || shape.containers_per_node > shape.workloads) {
    die("usage: " + std::string(argv[0]) +
        " [nodes containers-per-node workloads seconds connections reports-per-s(0: max) "
        "converged|converging]");
  }
  if (std::thread::hardware_concurrency() < 2) {
    std::fprintf(stderr,
                 "bench: skipped: needs two CPUs, one for the aggregator, one for the load\n");
    return 77;
  }
  pin_to_cpu(1);

  const tailor::bench::LoadShape load(shape);
  const tailor::bench::Growth growth =
      options.converging ? tailor::bench::kConverging : tailor::bench::kConverged;
  check_encoding(load, growth);
  // Another build of the aggregator, to compare two builds interleaved in one session.
  const char* other_binary = std::getenv("TAILOR_BENCH_AGGREGATOR");
  const std::string binary = other_binary != nullptr ? other_binary : TAILOR_AGGREGATOR_BIN;
  // The per-node limit is lifted: the load generator sends a node's batches back to back,
  // which a real agent (a batch every few seconds) never does.
  AggregatorProcess aggregator(binary, {"--rate", "1000000", "--burst", "1000000"});
  std::vector<Node> nodes(shape.nodes);
  for (int i = 0; i < shape.nodes; ++i) {
    nodes[i].name = load.node(i).name;
    nodes[i].token = aggregator.node_token(nodes[i].name);
  }
  tailor::testbed::TestApiServer& server = aggregator.api_server();
  auto connect = [&] { return aggregator.connect(); };
  auto scrape = [&] { return aggregator.scrape(); };

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
    for (int c = 0; c < options.connections; ++c) {
      workers.emplace_back([&] {
        auto client = connect();
        for (std::size_t i; (i = next++) < nodes.size();) {
          Node& node = nodes[i];
          for (;;) {
            const int status = post(*client, node, load.encoded_batch(int(i), 1, growth));
            if (status == 200) break;
            if (status == 429) {
              ++review_limited;
              std::this_thread::sleep_for(std::chrono::milliseconds(200));
              continue;
            }
            ++refused;
            if (status == 0) client = connect();
          }
          node.seq = 1;
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
  const ProcessFigures after_warm = process_figures(aggregator.pid());

  // Steady state: every node in turn sends its next batch; meanwhile new syscalls are
  // injected into one workload each and timed until they are in its SeccompProfile.
  std::mutex injections_mu;
  std::vector<Injection> pending;
  std::vector<double> latencies;
  long injected = 0;
  std::vector<std::thread> workers;
  const double batches_per_s = options.reports_per_s / shape.containers_per_node;
  const auto steady_start = steady::now();
  std::atomic<long> paced{0};
  for (int c = 0; c < options.connections; ++c) {
    workers.emplace_back([&] {
      auto client = connect();
      while (!stop) {
        if (batches_per_s > 0) {
          const auto due =
              steady_start + std::chrono::duration_cast<steady::duration>(
                                 std::chrono::duration<double>(paced++ / batches_per_s));
          std::this_thread::sleep_until(due);
        }
        const std::size_t i = next++ % nodes.size();
        Node& node = nodes[i];
        const int status = post(*client, node, load.encoded_batch(int(i), ++node.seq, growth));
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
          if (status == 0) client = connect();
        }
      }
    });
  }
  std::thread injector([&] {
    auto client = connect();
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
      delta.agent = {load.node(index).agent_id, 1714564800000};
      delta.seq = ++node.seq;
      WorkloadDelta report;
      report.key = load.key(w);
      report.syscalls.push_back({"x86_64", syscall.first, syscall.second,
                                 tailor::common::Phase::workload, 1, tailor::common::unix_now_ms(),
                                 std::nullopt});
      delta.workloads.push_back(report);
      const auto sent = steady::now();
      const int status = post(*client, node, tailor::common::encode_delta(delta));
      if (status != 200) {
        if (status == 0) client = connect();
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
        if (!profile_has(server, injection.key, injection.syscall)) continue;
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

  // Warm-up leaves the writer a backlog: a profile to create for every workload, and updates
  // for those whose replicas kept reporting. Measuring starts once it is written, under the
  // steady load, so the window's latencies are not that queue. Converging profiles keep the
  // writer busy for good: then measuring starts once every profile exists.
  const auto backlog_start = steady::now();
  auto backlog_left = [&] {
    if (server.list_objects(kProfileVersion, "seccompprofiles").size() <
        static_cast<std::size_t>(shape.workloads))
      return true;
    return !options.converging && metric(scrape(), "tailor_aggregator_profiles_pending") > 0;
  };
  while (steady::now() - backlog_start < std::chrono::minutes(15) && backlog_left())
    std::this_thread::sleep_for(std::chrono::seconds(1));
  const double backlog_s = std::chrono::duration<double>(steady::now() - backlog_start).count();
  batches = 0;
  reports = 0;
  review_limited = 0;
  refused = 0;
  const std::string metrics_before = scrape();
  const ProcessFigures before = process_figures(aggregator.pid());
  const ProcessFigures load_before = process_figures(getpid());
  const auto window_start = steady::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::seconds(options.seconds));
  measuring = false;
  const double window_s = std::chrono::duration<double>(steady::now() - window_start).count();
  const ProcessFigures after = process_figures(aggregator.pid());
  const ProcessFigures load_after = process_figures(getpid());
  const std::string metrics_after = scrape();
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

  const std::string metrics = scrape();
  const auto exited = aggregator.stop();
  auto window_rate = [&](const std::string& series) {
    return (metric(metrics_after, series) - metric(metrics_before, series)) / window_s;
  };

  std::printf(
      "aggregator under load: %d nodes x %d containers = %d containers, %d workloads, "
      "%d connections, %s, %s\n",
      shape.nodes, shape.containers_per_node, shape.nodes * shape.containers_per_node,
      shape.workloads, options.connections,
      options.reports_per_s > 0
          ? ("offered " + std::to_string(int(options.reports_per_s)) + " reports/s").c_str()
          : "as fast as accepted",
      options.converging ? "profiles converging (first reports 40 of 60 syscalls, new socket "
                           "values)"
                         : "profiles converged (first reports have the whole set)");
  std::printf(
      "  a report: one container's entry in a batch; a batch: one node's POST, %d reports\n",
      shape.containers_per_node);
  std::printf(
      "  warm-up (every node's first batch, %d syscalls per report, every token reviewed): "
      "%.1f s, %.0f batches/s, %.0f reports/s, %ld answers 429 review_rate_limited, "
      "aggregator CPU %.1f s\n",
      growth.first_report_syscalls, warm_s, warm_batches / warm_s, warm_reports / warm_s,
      warm_limited, after_warm.cpu_s);
  std::printf(
      "  the writer's backlog from warm-up (%s) written %.1f s after warm-up, under the "
      "steady load\n",
      options.converging ? "every workload's first SeccompProfile" : "every profile current",
      backlog_s);
  std::printf(
      "  steady state (%d syscalls per report), %.1f s measured: %.0f batches/s, "
      "%.0f reports/s (target >= 100000 per core)\n",
      tailor::bench::kSyscallsPerReport, window_s, steady_batches / window_s,
      steady_reports / window_s);
  const double aggregator_busy = (after.cpu_s - before.cpu_s) / window_s;
  std::printf("  aggregator CPU in the window: %.0f%% of its one core, %.0f reports/s per core\n",
              100.0 * aggregator_busy, steady_reports / window_s / aggregator_busy);
  std::printf(
      "  this process (load generator, TLS client side, API server) in the window: %.0f%% of "
      "CPU 1\n",
      100.0 * (load_after.cpu_s - load_before.cpu_s) / window_s);
  std::printf("  not accepted in the window: %ld x 429, %ld other\n", review_limited.load(),
              refused.load());
  std::printf(
      "  profile growth in the window: %.1f discoveries/s (new syscalls or argument values, "
      "injections included), %.1f SeccompProfile updates/s\n",
      window_rate("tailor_aggregator_discoveries_total"),
      window_rate("tailor_aggregator_crd_writes_total{result=\"updated\"}"));
  std::printf("  aggregator RSS: %.1f MiB now, %.1f MiB peak (target <= 400 MiB)\n",
              after.rss_kib / 1024.0, after.peak_rss_kib / 1024.0);
  std::printf(
      "  new syscall to its SeccompProfile: %zu of %ld landed, p50 %.2f s, p99 %.2f s, max "
      "%.2f s (target p99 <= 1 s)\n",
      latencies.size(), injected, percentile(latencies, 0.5), percentile(latencies, 0.99),
      percentile(latencies, 1.0));
  std::printf("  aggregator metrics at the end:\n%s%s",
              scrape_line(metrics, "tailor_aggregator_crd_writes_total").c_str(),
              scrape_line(metrics, "tailor_aggregator_workloads_tracked").c_str());
  std::printf("  aggregator exit status after SIGTERM: %d\n", exited.exit_status);
  std::printf("reproduce: %s %d %d %d %d %d %g %s\n", argv[0], shape.nodes,
              shape.containers_per_node, shape.workloads, options.seconds, options.connections,
              options.reports_per_s, options.converging ? "converging" : "converged");
  const bool sound = steady_batches > 0 && !latencies.empty() &&
                     latencies.size() == static_cast<std::size_t>(injected) &&
                     exited.exit_status == 0;
  if (!sound) std::fprintf(stderr, "bench: the run is not sound (see above)\n");
  return sound ? 0 : 1;
}
