// The demo's workload: a small program that behaves like a service at start-up
// (reads config, opens a listening socket, starts worker threads, runs a
// helper process) so that `tailor record` has something realistic to show.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

int read_config() {
  std::ifstream os_release("/etc/os-release");
  int lines = 0;
  for (std::string line; std::getline(os_release, line);) ++lines;
  return lines;
}

bool listen_on_loopback() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 && ::listen(fd, 8) == 0;
  ::close(fd);
  return ok;
}

int run_helper() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/true", "true", nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main() {
  const int config_lines = read_config();
  const bool listening = listen_on_loopback();
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
  for (auto& worker : workers) worker.join();
  const int helper = run_helper();
  std::printf("sample workload: %d config lines, listening=%s, 4 workers, helper exit %d\n",
              config_lines, listening ? "yes" : "no", helper);
  return helper;
}
