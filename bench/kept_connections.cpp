// Agents connected at once (issue 19, decision 0011): `threads` client threads open N HTTPS
// connections to the real aggregator between them, send one keep-alive request on each
// (GET /healthz) and keep it open, idle, as an agent's connection between two rounds. Each is
// timed from connect to answer; a connection not answered within `seconds` of the start
// counts as waiting. Prints the waits (p50, p99, max, answered within 1 s) and the
// aggregator's peak memory. The aggregator runs on CPU 0, this process on CPU 1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/aggregator_process.h"
#include "bench/process_figures.h"

namespace {

using steady = std::chrono::steady_clock;
using tailor::bench::AggregatorProcess;
using tailor::bench::die;

struct Connection {
  int fd = -1;
  SSL* ssl = nullptr;
};

// Connects, asks for /healthz with keep-alive and reads the answer; false when the aggregator
// closed the connection or did not answer before `deadline`.
bool open_and_ask(SSL_CTX* context, int port, steady::time_point deadline, Connection& out) {
  out.fd = socket(AF_INET, SOCK_STREAM, 0);
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - steady::now());
  if (left.count() <= 0) return false;
  timeval timeout{static_cast<time_t>(left.count() / 1'000'000),
                  static_cast<suseconds_t>(left.count() % 1'000'000)};
  setsockopt(out.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(out.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(out.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return false;
  out.ssl = SSL_new(context);
  SSL_set_fd(out.ssl, out.fd);
  if (SSL_connect(out.ssl) != 1) return false;
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: aggregator\r\n\r\n";
  if (SSL_write(out.ssl, request.data(), static_cast<int>(request.size())) <= 0) return false;
  std::string answer;
  char buffer[512];
  while (answer.find("\r\n\r\nok\n") == std::string::npos) {
    const int got = SSL_read(out.ssl, buffer, sizeof buffer);
    if (got <= 0) return false;
    answer.append(buffer, static_cast<std::size_t>(got));
  }
  return answer.starts_with("HTTP/1.1 200");
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  const int connections = argc > 1 ? std::stoi(argv[1]) : 5000;
  const int threads = argc > 2 ? std::stoi(argv[2]) : 100;
  const int seconds = argc > 3 ? std::stoi(argv[3]) : 30;
  std::printf("command: %s %d %d %d  # connections, client threads, seconds\n", argv[0],
              connections, threads, seconds);

  // Each connection is a descriptor here and one in the aggregator (which inherits this limit).
  const rlim_t files = static_cast<rlim_t>(connections) + 1024;
  rlimit limit{files, files};
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
    die("cannot raise RLIMIT_NOFILE to " + std::to_string(files) + " (run as root)");

  AggregatorProcess aggregator(TAILOR_AGGREGATOR_BIN, {});
  tailor::bench::pin_to_cpu(1);
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());

  const auto start = steady::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  std::mutex mu;
  std::vector<double> waits;
  std::vector<Connection> open;
  std::atomic<int> next{0};
  std::atomic<int> closed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&] {
      for (int i = next++; i < connections; i = next++) {
        const auto began = steady::now();
        Connection connection;
        const bool answered = open_and_ask(context, aggregator.port(), deadline, connection);
        const double wait = std::chrono::duration<double>(steady::now() - began).count();
        std::lock_guard lock(mu);
        if (answered) waits.push_back(wait);
        if (!answered && steady::now() < deadline) ++closed;
        open.push_back(connection);
      }
    });
  }
  for (auto& client : clients) client.join();
  const double elapsed = std::chrono::duration<double>(steady::now() - start).count();
  const auto figures = tailor::bench::process_figures(aggregator.pid());

  const auto within_1s = std::count_if(waits.begin(), waits.end(), [](double w) { return w <= 1; });
  std::printf(
      "connections: %d, answered %zu (%ld within 1 s), closed or refused %d, not "
      "answered by %d s (waiting, or not yet tried): %zu\n",
      connections, waits.size(), static_cast<long>(within_1s), closed.load(), seconds,
      connections - waits.size() - static_cast<std::size_t>(closed.load()));
  std::printf("wait from connect to answer: p50 %.3f s, p99 %.3f s, max %.3f s (%.1f s in all)\n",
              percentile(waits, 0.5), percentile(waits, 0.99), percentile(waits, 1.0), elapsed);
  std::printf("aggregator peak RSS %.1f MiB, CPU %.1f s\n", figures.peak_rss_kib / 1024.0,
              figures.cpu_s);

  for (auto& connection : open) {
    if (connection.ssl != nullptr) SSL_free(connection.ssl);
    if (connection.fd >= 0) close(connection.fd);
  }
  SSL_CTX_free(context);
  // A connection refused or closed before its answer is a failure of the server, not a wait.
  return waits.empty() || closed > 0 ? 1 : 0;
}
