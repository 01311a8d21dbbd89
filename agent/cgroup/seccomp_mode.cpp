#include "agent/cgroup/seccomp_mode.h"

#include <fstream>
#include <string>
#include <system_error>

namespace tailor::agent {

std::optional<int> seccomp_mode(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("Seccomp:")) {
      try {
        return std::stoi(line.substr(8));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  return std::nullopt;
}

namespace {

bool has_filtered_process(const std::filesystem::path& dir) {
  std::ifstream procs(dir / "cgroup.procs");
  for (pid_t pid = 0; procs >> pid;)
    if (seccomp_mode(pid) == kSeccompModeFilter) return true;
  return false;
}

}  // namespace

bool runs_filtered(const std::filesystem::path& cgroup_dir) {
  if (has_filtered_process(cgroup_dir)) return true;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(cgroup_dir, ec), end; !ec && it != end;
       it.increment(ec))
    if (it->is_directory(ec) && has_filtered_process(it->path())) return true;
  return false;
}

}  // namespace tailor::agent
