#pragma once

#include <string>

#include "common/wire/workload_key.h"

namespace tailor::common {

// The label a SeccompProfile carries with its workload's state (learning, stable, enforced,
// denying): `kubectl get seccompprofiles -L tailor.dev/state`. The aggregator writes it,
// `tailor enforce-patch` reads it.
inline constexpr const char* kStateLabel = "tailor.dev/state";

// metadata.name of a workload container's SeccompProfile: "<namespace>-<kind>-<name>-<container>"
// made a DNS-1123 subdomain, cut to 63 characters (a label, so it also fits where SPO uses
// the name as a path or label value), then "-" and 10 hex digits of a hash of the exact key.
// The hash is always there: dash-joined parts are ambiguous ("shop-a"+"b" and "shop"+"a-b"),
// and v1 objects are cluster-scoped, so only the hash keeps namespaces apart.
std::string profile_name(const WorkloadKey& key);

// The securityContext.seccompProfile.localhostProfile of pods that run the SeccompProfile
// `name`: SPO writes it under the kubelet's seccomp root as operator/<namespace>/<name>.json
// when it is namespaced (v1beta1; `namespace_name` set) and operator/<name>.json when it is
// cluster-scoped (v1; `namespace_name` empty).
std::string spo_localhost_profile(const std::string& namespace_name, const std::string& name);

}  // namespace tailor::common
