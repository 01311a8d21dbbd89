#include "common/profile/generate.h"

#include <algorithm>
#include <set>

#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"

namespace tailor::common {
namespace {

// EPERM, as Docker's default profile answers a denied call.
constexpr uint32_t kDeniedErrno = 1;

Result<std::vector<std::string>> profile_arches(const Report& report,
                                                const GenerateOptions& options) {
  std::vector<std::string> tokens = {report.info.native_arch};
  for (const auto& entry : report.syscalls) tokens.push_back(entry.arch);
  for (const auto& text : options.extra_arches) {
    auto token = parse_arch(text);
    if (!token.ok()) return token.error();
    tokens.push_back(*token);
  }
  std::vector<std::string> oci_names;
  for (const auto& token : tokens) {
    auto oci_name = oci_arch_name(token);
    if (!oci_name.ok()) return oci_name.error();
    if (std::find(oci_names.begin(), oci_names.end(), *oci_name) == oci_names.end()) {
      oci_names.push_back(*oci_name);
    }
  }
  return oci_names;
}

}  // namespace

Result<ProfileWithWarnings> generate_profile(const Report& report, const GenerateOptions& options) {
  auto arches = profile_arches(report, options);
  if (!arches.ok()) return arches.error();

  ProfileWithWarnings out;
  std::set<std::string> names;
  for (const auto& entry : report.syscalls) {
    // A newer libseccomp than the recorder's may know a name the report lacks.
    std::optional<std::string> name;
    if (!entry.name.empty()) {
      name = entry.name;
    } else if (auto resolved = syscall_name(entry.arch, entry.nr); resolved.ok()) {
      name = *resolved;
    }
    if (name) {
      names.insert(*name);
    } else {
      out.warnings.push_back(entry.arch + " syscall " + std::to_string(entry.nr) +
                             " has no name in libseccomp " + libseccomp_version() +
                             ", so the profile cannot allow it: calls to it will fail with "
                             "EPERM; a newer libseccomp may know it");
    }
  }

  out.profile.default_action = Action::return_errno;
  out.profile.default_errno_ret = kDeniedErrno;
  out.profile.architectures = std::move(*arches);
  if (!names.empty()) {
    out.profile.syscalls.push_back(
        SyscallRule{.names = {names.begin(), names.end()}, .action = Action::allow});
  }
  return out;
}

}  // namespace tailor::common
