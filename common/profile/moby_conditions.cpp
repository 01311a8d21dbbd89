#include "common/profile/moby_conditions.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <string_view>

#include "common/syscalls/arch.h"

namespace tailor::common {
namespace {

// Docker's default capability set (moby's oci/caps/defaults.go). Conditions only ever name
// capabilities, never the profile, so this list is no copy of Docker's profile.
constexpr std::array<std::string_view, 14> kDockerDefaultCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

bool has_default_cap(const std::string& cap) {
  return std::find(kDockerDefaultCaps.begin(), kDockerDefaultCaps.end(), cap) !=
         kDockerDefaultCaps.end();
}

// Moby matches condition arches against the daemon's runtime.GOARCH.
std::string go_arch(const std::string& token) {
  static const std::map<std::string, std::string> kGoArches = {
      {"x86_64", "amd64"},    {"x86", "386"},     {"aarch64", "arm64"},   {"arm", "arm"},
      {"ppc64le", "ppc64le"}, {"s390x", "s390x"}, {"riscv64", "riscv64"}, {"mips64el", "mips64le"}};
  const auto it = kGoArches.find(token);
  return it == kGoArches.end() ? token : it->second;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

bool applies_to_default_container(const SyscallRule& rule) {
  const std::string arch = go_arch(native_arch());
  if (rule.includes) {
    const auto& in = *rule.includes;
    if (!in.arches.empty() && !contains(in.arches, arch)) return false;
    if (!std::all_of(in.caps.begin(), in.caps.end(), has_default_cap)) return false;
  }
  if (rule.excludes) {
    const auto& ex = *rule.excludes;
    if (contains(ex.arches, arch)) return false;
    if (std::any_of(ex.caps.begin(), ex.caps.end(), has_default_cap)) return false;
  }
  return true;
}

}  // namespace tailor::common
