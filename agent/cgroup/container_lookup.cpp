#include "agent/cgroup/container_lookup.h"

#include <algorithm>
#include <array>
#include <vector>

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

Result<std::string> find_container_cgroup(const Cgroup2& cgroups, std::string_view raw_id) {
  const std::string_view id = strip_scheme(raw_id);
  if (id.size() < kMinPrefix || id.size() > kFullIdLength || !is_hex(id))
    return make_error("'" + std::string(raw_id) +
                      "' is not a container id: give the full id or a unique prefix of at least 4 "
                      "lowercase hex digits");
  std::vector<std::string> matches;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(cgroups.mount(),
                                             fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
    const auto found = container_id_from_cgroup_name(it->path().filename().string());
    if (found && found->starts_with(id)) {
      matches.push_back(cgroups.relative(it->path()));
      // A container's own nested cgroups are not other containers.
      it.disable_recursion_pending();
    }
  }
  if (matches.empty())
    return make_error("no container with id " + std::string(id) + " under " +
                      cgroups.mount().string() + ": check the id (docker ps / crictl ps) and that it is running");
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m;
    return make_error("container id " + std::string(id) + " matches " + std::to_string(matches.size()) +
                      " containers (" + list + "): give more of the id");
  }
  return matches.front();
}

}  // namespace tailor::agent
