#include "agent/cgroup/container_lookup.h"

#include <linux/capability.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "common/util/capabilities.h"
#include "common/util/file.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using common::make_error;

constexpr size_t kFullIdLength = 64;
constexpr size_t kMinPrefix = 4;
constexpr int kMaxDepth = 12;

bool is_hex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::string_view strip_scheme(std::string_view id) {
  const auto pos = id.find("://");
  return pos == std::string_view::npos ? id : id.substr(pos + 3);
}

bool is_id_prefix(std::string_view id) {
  return id.size() >= kMinPrefix && id.size() <= kFullIdLength && is_hex(id);
}

// When a live process started, in clock ticks after boot (field 22 of /proc/<pid>/stat): with
// the pid, it tells a container's init from a process that got its pid later. Nothing for a
// process that has exited, zombies included (state Z or X, field 3).
std::optional<unsigned long long> live_start_time(pid_t pid) {
  auto stat = common::read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return std::nullopt;
  const auto comm_end = stat->rfind(')');
  if (comm_end == std::string::npos) return std::nullopt;
  std::istringstream fields(stat->substr(comm_end + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3 && (field == "Z" || field == "X")) return std::nullopt;
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return std::nullopt;
}

// The init process of a runc or crun container from its state: runc's state.json
// (init_process_pid, init_process_start), crun's status (pid, process-start-time). Nothing when
// the container has stopped or its pid belongs to another process now.
std::optional<pid_t> running_init(const fs::path& container_dir) {
  struct StateFile {
    const char* name;
    const char* pid;
    const char* start;
  };
  constexpr std::array<StateFile, 2> kStateFiles = {
      {{"state.json", "init_process_pid", "init_process_start"},
       {"status", "pid", "process-start-time"}}};
  for (const auto& file : kStateFiles) {
    auto text = common::read_file((container_dir / file.name).string());
    if (!text) continue;
    const auto state = nlohmann::json::parse(*text, nullptr, false);
    if (!state.is_object() || !state.contains(file.pid) || !state[file.pid].is_number_integer())
      return std::nullopt;
    const pid_t pid = state[file.pid].get<pid_t>();
    const auto started = pid > 0 ? live_start_time(pid) : std::nullopt;
    if (!started) return std::nullopt;
    if (state.contains(file.start) && state[file.start].is_number_unsigned() &&
        state[file.start].get<unsigned long long>() != *started)
      return std::nullopt;
    return pid;
  }
  return std::nullopt;
}

void add_cgroup_matches(const Cgroup2& cgroups, std::string_view id,
                        std::set<std::string>& matches) {
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(cgroups.mount(),
                                             fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
    const auto found = container_id_from_cgroup_name(it->path().filename().string());
    if (found && found->starts_with(id)) {
      matches.insert(cgroups.relative(it->path()));
      // A container's own nested cgroups are not other containers.
      it.disable_recursion_pending();
    }
  }
}

// Containers of runc and crun by the name they were created with, which may be anything
// ("web"), or by a prefix of a hex id.
struct RuntimeSearch {
  bool stopped = false;              // a stopped container matched
  std::vector<fs::path> unreadable;  // roots this process may not list
};

RuntimeSearch add_runtime_matches(const Cgroup2& cgroups, std::string_view id,
                                  const std::vector<fs::path>& runtime_roots,
                                  std::set<std::string>& matches) {
  RuntimeSearch search;
  for (const auto& root : runtime_roots) {
    std::error_code ec;
    fs::directory_iterator it(root, ec);
    if (ec == std::errc::permission_denied) search.unreadable.push_back(root);
    for (fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name != id && !(is_id_prefix(id) && name.starts_with(id))) continue;
      if (const auto pid = running_init(it->path())) {
        if (auto path = cgroups.path_of_pid(*pid)) {
          matches.insert(*path);
          continue;
        }
      }
      search.stopped = true;
    }
  }
  return search;
}

std::string listed(const std::vector<fs::path>& paths) {
  return paths.empty() ? "none found" : common::join({paths.begin(), paths.end()});
}

}  // namespace

std::optional<std::string> container_id_from_cgroup_name(std::string_view name) {
  constexpr std::array<std::string_view, 4> kScopePrefixes = {"docker-", "cri-containerd-", "crio-",
                                                              "libpod-"};
  constexpr std::string_view kScopeSuffix = ".scope";
  if (name.size() > kScopeSuffix.size() && name.ends_with(kScopeSuffix)) {
    const auto stem = name.substr(0, name.size() - kScopeSuffix.size());
    for (auto prefix : kScopePrefixes) {
      if (!stem.starts_with(prefix)) continue;
      const auto id = stem.substr(prefix.size());
      if (id.size() == kFullIdLength && is_hex(id)) return std::string(id);
    }
    return std::nullopt;
  }
  if (name.size() == kFullIdLength && is_hex(name)) return std::string(name);
  return std::nullopt;
}

std::vector<fs::path> default_runtime_roots() {
  std::vector<fs::path> candidates = {"/run/runc", "/run/crun"};
  for (const char* per_namespace : {"/run/containerd/runc", "/run/docker/runtime-runc"}) {
    std::error_code ec;
    for (fs::directory_iterator it(per_namespace, ec), end; !ec && it != end; it.increment(ec))
      candidates.push_back(it->path());
  }
  if (const char* user_dir = std::getenv("XDG_RUNTIME_DIR"); user_dir != nullptr && *user_dir) {
    candidates.push_back(fs::path(user_dir) / "runc");
    candidates.push_back(fs::path(user_dir) / "crun");
  }
  std::vector<fs::path> roots;
  std::error_code ec;
  for (auto& candidate : candidates)
    if (fs::is_directory(candidate, ec)) roots.push_back(std::move(candidate));
  return roots;
}

Result<std::string> find_container_cgroup(const Cgroup2& cgroups, std::string_view raw_id,
                                          const std::vector<fs::path>& runtime_roots,
                                          ContainerSearch where) {
  const std::string_view id = strip_scheme(raw_id);
  std::set<std::string> matches;
  if (where == ContainerSearch::cgroups_and_runtime_state && is_id_prefix(id))
    add_cgroup_matches(cgroups, id, matches);
  const RuntimeSearch search = add_runtime_matches(cgroups, id, runtime_roots, matches);
  const std::string quoted = "'" + std::string(raw_id) + "'";
  if (matches.empty() && !search.unreadable.empty()) {
    // runc and crun keep their state private to root.
    const std::string missing = common::missing_capabilities({CAP_DAC_READ_SEARCH});
    return make_error("cannot look for container " + quoted + " in " + listed(search.unreadable) +
                      ": permission denied; run as root, or grant CAP_DAC_READ_SEARCH" +
                      (missing.empty() ? "" : " (this process lacks it)") +
                      ", or give --pid of a process in the container");
  }
  if (matches.empty() && search.stopped)
    return make_error("container " + quoted + " has stopped: start it again, then record it");
  if (matches.empty())
    return make_error("no container " + quoted + " among the cgroups under " +
                      cgroups.mount().string() + " (by id) or the runc and crun states in " +
                      listed(runtime_roots) +
                      " (by id or name): check it (docker ps, crictl ps, runc list), add "
                      "--runtime-root DIR for a runtime run with --root DIR, or give --pid of a "
                      "process in the container");
  if (matches.size() > 1)
    return make_error("container " + quoted + " matches " + std::to_string(matches.size()) +
                      " containers (" + common::join({matches.begin(), matches.end()}) +
                      "): give more of the id");
  return *matches.begin();
}

}  // namespace tailor::agent
