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

struct ProcessModes {
  bool listed = false;    // the cgroups had processes
  bool readable = false;  // /proc showed the mode of one of them
  bool filtered = false;
};

void read_modes(const std::filesystem::path& dir, ProcessModes& modes) {
  std::ifstream procs(dir / "cgroup.procs");
  for (pid_t pid = 0; !modes.filtered && procs >> pid;) {
    modes.listed = true;
    const auto mode = seccomp_mode(pid);
    if (!mode) continue;
    modes.readable = true;
    modes.filtered = *mode == kSeccompModeFilter;
  }
}

}  // namespace

std::optional<bool> seccomp_filtered(const std::filesystem::path& cgroup_dir) {
  ProcessModes modes;
  read_modes(cgroup_dir, modes);
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(cgroup_dir, ec), end;
       !ec && !modes.filtered && it != end; it.increment(ec))
    if (it->is_directory(ec)) read_modes(it->path(), modes);
  if (modes.listed && !modes.readable) return std::nullopt;
  return modes.filtered;
}

}  // namespace tailor::agent
