#pragma once

#include <string>

#include "common/k8s/client/kube_client.h"
#include "common/util/result.h"
#include "common/wire/workload_key.h"

namespace tailor::aggregator {

// A namespace labelled tailor.dev/bind=true opts into ProfileBindings.
inline constexpr const char* kBindLabel = "tailor.dev/bind";
inline constexpr const char* kProfileBindingApiVersion =
    "security-profiles-operator.x-k8s.io/v1alpha1";

enum class BindOutcome { not_opted_in, created, updated, unchanged };

// When `key`'s namespace opted in, makes sure an SPO ProfileBinding named `profile` (the
// SeccompProfile's name) binds the image of `key`'s container, read from its workload's pod
// template, to that SeccompProfile. SPO then gives new pods of that image in the namespace the
// profile. A ProfileBinding of that name Tailor did not create (no managed-by label) is never
// changed: an error says so. An error also when the workload or its container is gone.
common::Result<BindOutcome> bind_profile(common::KubeClient& client, const common::WorkloadKey& key,
                                         const std::string& profile);

// bind_profile with its outcome logged; the writer calls it after the write that turns a
// profile's state stable.
void bind_stable_profile(common::KubeClient& client, const common::WorkloadKey& key,
                         const std::string& profile);

}  // namespace tailor::aggregator
