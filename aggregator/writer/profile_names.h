#pragma once

#include <map>
#include <string>

#include "common/wire/workload_key.h"

namespace tailor::aggregator {

// Labels naming the workload, for `kubectl get -l`. A part that is no valid label value
// (a long workload name) is left out; the exact key is in the tailor.dev/workload annotation.
// The object's name is common::profile_name (common/k8s/profile_names.h).
std::map<std::string, std::string> workload_labels(const common::WorkloadKey& key);

}  // namespace tailor::aggregator
