#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/profile/oci.h"
#include "common/util/result.h"

namespace tailor::common {

// Security Profiles Operator's SeccompProfile custom resource
// (security-profiles-operator.x-k8s.io), whose spec carries a seccomp profile with the OCI
// field names, less Moby's extensions and defaultErrnoRet.

inline constexpr const char* kSpoGroup = "security-profiles-operator.x-k8s.io";

struct SpoObjectOptions {
  std::string name;  // metadata.name: a DNS-1123 subdomain
  // "v1": current SPO, where SeccompProfile is cluster-scoped. "v1beta1": releases before
  // the 2025 switch, where it lives in a namespace.
  std::string api_version = "v1";
  std::string namespace_name;  // required for v1beta1, refused for v1
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

// The object, with metadata checked as the API server would. Parts of the profile the CRD has
// no field for are left out: see seccomp_profile_losses.
Result<nlohmann::json> seccomp_profile_object(const Profile& profile,
                                              const SpoObjectOptions& options);
Result<std::string> seccomp_profile_yaml(const Profile& profile, const SpoObjectOptions& options);
// Without a final newline, like encode_profile.
Result<std::string> seccomp_profile_json(const Profile& profile, const SpoObjectOptions& options);

// What of the profile the object cannot carry, one sentence each, for warnings.
std::vector<std::string> seccomp_profile_losses(const Profile& profile);

// The profile in a SeccompProfile object (either version), validated like decode_profile.
Result<ProfileWithWarnings> profile_from_seccomp_profile(const nlohmann::json& object,
                                                         const ProfileDecodeOptions& options = {});

// The architectures the CRD's enum accepts, as OCI names.
const std::vector<std::string>& spo_architectures();

}  // namespace tailor::common
