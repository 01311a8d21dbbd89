#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aggregator/store/merge_store.h"
#include "common/profile/oci.h"
#include "common/util/result.h"
#include "common/wire/workload_key.h"

namespace tailor::aggregator {

inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "tailor-aggregator";
inline constexpr const char* kWorkloadAnnotation = "tailor.dev/workload";
inline constexpr const char* kNodesAnnotation = "tailor.dev/nodes";
inline constexpr const char* kNodeCountAnnotation = "tailor.dev/node-count";
inline constexpr const char* kPodsSeenAnnotation = "tailor.dev/pods-seen";
inline constexpr const char* kFrozenAnnotation = "tailor.dev/frozen";
inline constexpr const char* kFirstDiscoveryAnnotation = "tailor.dev/first-discovery";
inline constexpr const char* kLastDiscoveryAnnotation = "tailor.dev/last-discovery";

// A time as Kubernetes objects carry it: "2026-12-05T19:53:46Z".
std::string rfc3339(int64_t unix_ms);

// Where a workload's SeccompProfile lives: v1 is cluster-scoped, v1beta1 in the workload's
// namespace.
struct ProfileLocation {
  std::string api_version;  // "security-profiles-operator.x-k8s.io/v1" or ".../v1beta1"
  std::string version;      // "v1" or "v1beta1"
  std::string namespace_name;
  std::string name;
  std::string path;             // the object's REST path
  std::string collection_path;  // where it is created
};
ProfileLocation profile_location(const common::WorkloadKey& key, const std::string& version);

// The securityContext.seccompProfile.localhostProfile of pods that run this object
// (common::spo_localhost_profile: operator/<namespace>/<name>.json for v1beta1,
// operator/<name>.json for the cluster-scoped v1).
std::string spo_localhost_profile(const ProfileLocation& location);

// The SeccompProfile object for a workload: labels naming it, annotations with its exact key
// and coverage (docs/aggregator.md lists them).
common::Result<nlohmann::json> profile_object(const common::WorkloadKey& key,
                                              const TrackedWorkload& tracked,
                                              const common::Profile& profile,
                                              const ProfileLocation& location, int64_t now_unix_ms);

// What the aggregator wrote into an object it manages, read back.
struct WrittenProfile {
  common::WorkloadKey key;
  MergedWorkload workload;
  int64_t first_discovery_unix_ms = 0;
  int64_t last_discovery_unix_ms = 0;
  bool frozen = false;
};
common::Result<WrittenProfile> read_profile_object(const nlohmann::json& object);

bool is_frozen(const nlohmann::json& object);

}  // namespace tailor::aggregator
