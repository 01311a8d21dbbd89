#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// A container runtime's default seccomp profile, compiled into Tailor from
// data/reference/profiles (where its upstream, commit and license are recorded) so that
// comparing with it needs no file and no network.
struct ReferenceProfile {
  std::string_view name;      // "docker-default", as `tailor diff --against` takes it
  std::string_view upstream;  // "moby/profiles"
  std::string_view version;   // the upstream commit, short: "cd3bed80"
  std::string_view text;      // the profile in Moby's extended JSON format

  // "moby/profiles cd3bed80"
  std::string source() const;
};

// Docker's, containerd's and CRI-O's, in that order.
std::span<const ReferenceProfile> reference_profiles();

// The error names the known ones.
Result<ReferenceProfile> reference_profile(std::string_view name);

}  // namespace tailor::common
