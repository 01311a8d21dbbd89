#include "tests/support/process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace tailor::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string temp_path() {
  char path[] = "/tmp/tailor-test-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd >= 0) ::close(fd);
  return path;
}

}  // namespace

RunningProcess start_process(const std::vector<std::string>& argv) {
  RunningProcess running;
  running.out_path = temp_path();
  running.err_path = temp_path();
  std::vector<char*> raw;
  for (const auto& arg : argv) raw.push_back(const_cast<char*>(arg.c_str()));
  raw.push_back(nullptr);
  running.pid = ::fork();
  if (running.pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(running.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(running.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setpgid(0, 0);  // its own group, so signals sent to it reach no one else
    ::execv(raw[0], raw.data());
    ::_exit(126);
  }
  return running;
}

ProcessResult RunningProcess::wait() {
  ProcessResult result;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return result;
}

ProcessResult run_process(const std::vector<std::string>& argv) { return start_process(argv).wait(); }

}  // namespace tailor::testing
