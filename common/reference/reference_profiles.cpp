#include "common/reference/reference_profiles.h"

#include <algorithm>
#include <array>

namespace tailor::common {
namespace embedded {
// Generated from data/reference/profiles by cmake/embed_file.cmake.
extern const std::string_view docker_default;
extern const std::string_view containerd_default;
extern const std::string_view crio_default;
}  // namespace embedded

namespace {

// The versions are data/reference/README.md's; a test holds the two together.
const std::array<ReferenceProfile, 3>& profiles() {
  static const std::array<ReferenceProfile, 3> kProfiles = {{
      {"docker-default", "moby/profiles", "cd3bed80", embedded::docker_default},
      {"containerd-default", "containerd/containerd", "301026e5", embedded::containerd_default},
      {"crio-default", "containers/common", "f437c58a", embedded::crio_default},
  }};
  return kProfiles;
}

}  // namespace

std::string ReferenceProfile::source() const {
  return std::string(upstream) + " " + std::string(version);
}

std::span<const ReferenceProfile> reference_profiles() { return profiles(); }

Result<ReferenceProfile> reference_profile(std::string_view name) {
  const auto& all = profiles();
  const auto found = std::find_if(all.begin(), all.end(),
                                  [&](const ReferenceProfile& p) { return p.name == name; });
  if (found != all.end()) return *found;
  std::string known;
  for (const auto& profile : all) known += (known.empty() ? "" : ", ") + std::string(profile.name);
  return make_error("unknown default profile \"" + std::string(name) + "\"; known: " + known);
}

}  // namespace tailor::common
