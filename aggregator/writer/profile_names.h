#pragma once

#include <map>
#include <string>

#include "common/wire/workload_key.h"

namespace tailor::aggregator {

// metadata.name of a workload container's SeccompProfile: "<namespace>-<kind>-<name>-<container>"
// made a DNS-1123 subdomain, cut to 63 characters (a label, so it also fits where SPO uses
// the name as a path or label value), then "-" and 10 hex digits of a hash of the exact key.
// The hash is always there: dash-joined parts are ambiguous ("shop-a"+"b" and "shop"+"a-b"),
// and v1 objects are cluster-scoped, so only the hash keeps namespaces apart.
std::string profile_name(const common::WorkloadKey& key);

// Labels naming the workload, for `kubectl get -l`. A part that is no valid label value
// (a long workload name) is left out; the exact key is in the tailor.dev/workload annotation.
std::map<std::string, std::string> workload_labels(const common::WorkloadKey& key);

}  // namespace tailor::aggregator
