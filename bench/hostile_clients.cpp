// Hostile clients at the aggregator (issue 17): while one valid agent sends a batch every
// 100 ms over keep-alive HTTPS and a probe opens a new connection for /healthz every 200 ms
// (as the kubelet does), attackers take turns: slow clients that trickle a request's headers a
// byte a second, and floods of bodies that must be refused (no token, another node's token,
// chunked bodies past the limit, deep nesting, text that is not UTF-8, 100,000 workloads in a
// batch). For each phase: the valid agent's and the probe's latency and failures, every
// attack's answers against the expected status, the rejections the aggregator counted by
// reason, and its peak memory. The aggregator is the real binary on CPU 0; this process on
// CPU 1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench/aggregator_process.h"
#include "bench/process_figures.h"
#include "common/util/clock.h"

namespace {

using nlohmann::json;
using steady = std::chrono::steady_clock;
using tailor::bench::AggregatorProcess;
using tailor::bench::die;

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5))];
}

double seconds_since(steady::time_point start) {
  return std::chrono::duration<double>(steady::now() - start).count();
}

// A delta batch as the wire format has it (docs/wire-format.md), built as text so this bench
// depends on the format, not on the agent's types.
std::string batch(const std::string& node, uint64_t seq, int workloads = 1) {
  json list = json::array();
  for (int i = 0; i < workloads; ++i) {
    list.push_back({{"key",
                     {{"namespace", "shop"},
                      {"kind", "Deployment"},
                      {"name", "w" + std::to_string(i)},
                      {"container", "c"}}},
                    {"pods", json::array()},
                    {"syscalls",
                     {{{"arch", "x86_64"},
                       {"nr", 0},
                       {"name", "read"},
                       {"phase", "workload"},
                       {"count", seq},
                       {"first_seen_unix_ms", 1714564800100}}}}});
  }
  return json{{"format", "tailor.delta"},
              {"version", 1},
              {"node", node},
              {"agent", {{"id", "agent-" + node}, {"started_unix_ms", 1714564800000}}},
              {"seq", seq},
              {"workloads", list}}
      .dump();
}

// Latencies of one client's requests, and how many failed.
struct Tally {
  std::mutex mu;
  std::vector<double> seconds;
  long failed = 0;
  void add(bool ok, double s) {
    std::lock_guard lock(mu);
    if (ok)
      seconds.push_back(s);
    else
      ++failed;
  }
  std::string line() {
    std::lock_guard lock(mu);
    char text[160];
    std::snprintf(text, sizeof text,
                  "%5zu ok, %4ld failed, p50 %7.1f ms, p99 %7.1f ms, max %7.1f ms", seconds.size(),
                  failed, 1000 * percentile(seconds, 0.5), 1000 * percentile(seconds, 0.99),
                  1000 * percentile(seconds, 1.0));
    seconds.clear();
    failed = 0;
    return text;
  }
};

// A client that completes the TLS handshake and then sends a request's first line and headers
// one byte a second: it never idles long enough for a read timeout. It reconnects when the
// aggregator closes on it, and counts that.
void slow_client(int port, const std::atomic<bool>& stop, std::atomic<long>& closed_on_it) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  const std::string request =
      "POST /api/v1/deltas HTTP/1.1\r\nHost: aggregator\r\nContent-Type: application/json\r\n"
      "X-Padding: " +
      std::string(4096, 'a');
  while (!stop) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    SSL* ssl = SSL_new(context);
    bool open = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    if (open) {
      SSL_set_fd(ssl, fd);
      open = SSL_connect(ssl) == 1;
    }
    for (std::size_t at = 0; open && !stop && at < request.size(); ++at) {
      open = SSL_write(ssl, &request[at], 1) == 1;
      for (int i = 0; i < 10 && !stop; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!open && !stop) ++closed_on_it;
    SSL_free(ssl);
    close(fd);
  }
  SSL_CTX_free(context);
}

struct Attack {
  std::string name;
  int expected;    // the status that refuses it
  bool may_reset;  // a body cut off past the limit: the connection may end before the answer
  // Sent with a valid token: once the flood spends that node's rate budget, 429 refuses it too.
  bool rate_limited;
  std::function<int(httplib::SSLClient&)> send;
};

// A POST whose body is sent in chunks, `total` bytes of '['.
int chunked_post(httplib::SSLClient& client, const std::string& token, std::size_t total) {
  static const std::string chunk(1 << 20, '[');
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  std::size_t sent = 0;
  auto answer = client.Post(
      "/api/v1/deltas", headers,
      [&](size_t, httplib::DataSink& sink) {
        if (sent >= total) {
          sink.done();
          return true;
        }
        sent += chunk.size();
        return sink.write(chunk.data(), chunk.size());
      },
      "application/json");
  return answer ? answer->status : 0;
}

int post(httplib::SSLClient& client, const std::string& token, const std::string& body) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  auto answer = client.Post("/api/v1/deltas", headers, body, "application/json");
  return answer ? answer->status : 0;
}

std::string reasons(const std::string& before, const std::string& after) {
  std::string lines;
  std::istringstream in(after);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("tailor_aggregator_reports_total{", 0) != 0) continue;
    const std::string series = line.substr(0, line.rfind(' '));
    const double grown =
        tailor::bench::metric(after, series) - tailor::bench::metric(before, series);
    if (grown > 0) lines += "      " + series + " +" + std::to_string(long(grown)) + "\n";
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
  std::vector<int> slow_counts;
  for (std::stringstream list(argc > 2 ? argv[2] : "16,100"); list.good();) {
    std::string item;
    std::getline(list, item, ',');
    slow_counts.push_back(std::atoi(item.c_str()));
  }
  if (seconds < 1 || std::ranges::any_of(slow_counts, [](int n) { return n < 1; }))
    die("usage: " + std::string(argv[0]) + " [seconds-per-phase slow-clients,slow-clients...]");
  if (std::thread::hardware_concurrency() < 2) {
    std::fprintf(stderr, "bench: skipped: needs two CPUs, one for the aggregator\n");
    return 77;
  }
  tailor::bench::pin_to_cpu(1);
  AggregatorProcess aggregator(TAILOR_AGGREGATOR_BIN, {});
  const std::string good = aggregator.node_token("node-a");
  const std::string other = aggregator.node_token("node-b");
  // The floods that hold a valid token hold a third node's, so that what the valid agent sees
  // is the cost of the attack, not the share of its own node's rate budget the attack spends.
  const std::string stolen = aggregator.node_token("node-c");

  std::atomic<bool> stop{false};
  Tally agent, probe;
  std::thread agent_thread([&] {
    auto client = aggregator.connect();
    for (uint64_t seq = 1; !stop; ++seq) {
      const auto start = steady::now();
      const int status = post(*client, good, batch("node-a", seq));
      agent.add(status == 200, seconds_since(start));
      if (status == 0) client = aggregator.connect();
      std::this_thread::sleep_until(start + std::chrono::milliseconds(100));
    }
  });
  std::thread probe_thread([&] {
    while (!stop) {
      const auto start = steady::now();
      auto client = aggregator.connect();
      client->set_keep_alive(false);
      // The kubelet's default probe timeout.
      client->set_connection_timeout(std::chrono::seconds(1));
      client->set_read_timeout(std::chrono::seconds(1));
      auto answer = client->Get("/healthz");
      probe.add(answer && answer->status == 200 && seconds_since(start) <= 1.0,
                seconds_since(start));
      std::this_thread::sleep_until(start + std::chrono::milliseconds(200));
    }
  });

  const std::string hundred_thousand = batch("node-c", 1, 100000);
  std::string not_utf8 = batch("node-c", 1);
  not_utf8.replace(not_utf8.find("\"w0\"") + 1, 2, "\xc3\x28");
  const std::vector<Attack> attacks = {
      {"no token, chunked 64 MiB", 401, true, false,
       [&](httplib::SSLClient& c) { return chunked_post(c, "", 64 << 20); }},
      {"valid token, chunked 64 MiB", 413, true, true,
       [&](httplib::SSLClient& c) { return chunked_post(c, stolen, 64 << 20); }},
      {"garbage token", 401, false, false,
       [&](httplib::SSLClient& c) { return post(c, "x", batch("a", 1)); }},
      {"another node's token", 403, false, false,
       [&](httplib::SSLClient& c) { return post(c, other, batch("node-a", 1)); }},
      {"1 MiB of nesting", 400, false, true,
       [&](httplib::SSLClient& c) { return post(c, stolen, std::string(1 << 20, '[')); }},
      {"not UTF-8", 400, false, true,
       [&](httplib::SSLClient& c) { return post(c, stolen, not_utf8); }},
      {"100,000 workloads in a batch", 413, false, true,
       [&](httplib::SSLClient& c) { return post(c, stolen, hundred_thousand); }},
  };

  std::printf(
      "hostile clients at the aggregator: %d s per phase; a valid agent posts every 100 ms "
      "(keep-alive), a probe GETs /healthz every 200 ms on a new connection (1 s timeout "
      "= the kubelet's)\n",
      seconds);
  std::printf("  batch of 100,000 workloads: %.1f MiB\n", hundred_thousand.size() / 1048576.0);
  bool sound = true;
  auto phase = [&](const std::string& name, const std::function<void(std::atomic<bool>&)>& attack) {
    std::ofstream(("/proc/" + std::to_string(aggregator.pid()) + "/clear_refs").c_str()) << "5";
    const std::string before = aggregator.scrape();
    agent.line();
    probe.line();
    std::atomic<bool> phase_stop{false};
    std::thread attacker([&] { attack(phase_stop); });
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    phase_stop = true;
    attacker.join();
    const auto figures = tailor::bench::process_figures(aggregator.pid());
    std::printf("  %s\n    valid agent: %s\n    probe:       %s\n", name.c_str(),
                agent.line().c_str(), probe.line().c_str());
    std::printf("    aggregator: peak RSS %.1f MiB in the phase, RSS %.1f MiB at its end\n",
                figures.peak_rss_kib / 1024.0, figures.rss_kib / 1024.0);
    const std::string counted = reasons(before, aggregator.scrape());
    std::printf("    counted by the aggregator:\n%s", counted.c_str());
  };

  phase("quiet (no attacker)", [](std::atomic<bool>&) {});
  for (const int count : slow_counts) {
    std::atomic<long> closed{0};
    phase(std::to_string(count) +
              " slow clients (a header byte a second, each on its own "
              "connection)",
          [&](std::atomic<bool>& phase_stop) {
            std::vector<std::thread> clients;
            for (int i = 0; i < count; ++i)
              clients.emplace_back(slow_client, aggregator.port(), std::cref(phase_stop),
                                   std::ref(closed));
            for (auto& client : clients) client.join();
          });
    std::printf("    slow connections the aggregator closed: %ld\n", closed.load());
  }
  // For each attack: refused as expected, of those by the rate limit, and every other status.
  struct Answers {
    long expected = 0;
    long by_rate_limit = 0;
    std::map<int, long> other;
  };
  std::map<std::string, Answers> answers;
  std::mutex answers_mu;
  phase("floods (4 attackers in turn through every refused body)",
        [&](std::atomic<bool>& phase_stop) {
          std::vector<std::thread> attackers;
          for (int t = 0; t < 4; ++t) {
            attackers.emplace_back([&, t] {
              auto client = aggregator.connect();
              for (std::size_t i = t; !phase_stop; ++i) {
                const Attack& attack = attacks[i % attacks.size()];
                const int status = attack.send(*client);
                {
                  std::lock_guard lock(answers_mu);
                  Answers& counts = answers[attack.name];
                  if (status == attack.expected || (status == 0 && attack.may_reset)) {
                    ++counts.expected;
                  } else if (status == 429 && attack.rate_limited) {
                    ++counts.expected;
                    ++counts.by_rate_limit;
                  } else {
                    ++counts.other[status];
                  }
                }
                if (status == 0 || status == 413) client = aggregator.connect();
              }
            });
          }
          for (auto& attacker : attackers) attacker.join();
        });
  for (const auto& [name, counts] : answers) {
    std::string otherwise;
    if (counts.by_rate_limit > 0)
      otherwise += " (" + std::to_string(counts.by_rate_limit) + " of them by the rate limit)";
    for (const auto& [status, count] : counts.other)
      otherwise += ", " + std::to_string(count) + " answered " + std::to_string(status);
    std::printf("    %-30s %4ld refused as expected%s\n", name.c_str(), counts.expected,
                otherwise.c_str());
    sound = sound && counts.other.empty();
  }
  stop = true;
  agent_thread.join();
  probe_thread.join();
  const auto exited = aggregator.stop();
  std::printf("  aggregator exit status after SIGTERM: %d\n", exited.exit_status);
  std::printf("reproduce: %s %d", argv[0], seconds);
  for (std::size_t i = 0; i < slow_counts.size(); ++i)
    std::printf("%c%d", i == 0 ? ' ' : ',', slow_counts[i]);
  std::printf("\n");
  return sound && exited.exit_status == 0 ? 0 : 1;
}
