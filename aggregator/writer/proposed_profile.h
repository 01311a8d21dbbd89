#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregator/lifecycle/workload_state.h"
#include "aggregator/store/merge_store.h"
#include "aggregator/writer/profile_object.h"
#include "aggregator/writer/profile_writer.h"
#include "common/k8s/client/kube_client.h"
#include "common/util/result.h"

namespace tailor::aggregator {

// Marks a SeccompProfile as a proposed update of a workload's enforced one, not a profile of
// its own: the start-up rebuild skips it, so its calls never reach the enforced profile.
inline constexpr const char* kProposalLabel = "tailor.dev/proposal";

// "<profile_name>-proposed", where the enforced one lives.
ProfileLocation proposed_location(const common::WorkloadKey& key, const std::string& version);
bool is_proposal(const nlohmann::json& object);

// `workload` with each call of `add` as a workload-phase syscall: what the enforced profile
// becomes once it allows them.
MergedWorkload with_calls(const MergedWorkload& workload, const std::vector<ObservedDenial>& add);

// The `<name>-proposed` SeccompProfile: the enforced profile plus `add`, labelled like it and
// as a proposal, with spec.state Disabled so SPO installs it on no node (docs/aggregator.md,
// "Heal").
common::Result<nlohmann::json> proposed_profile_object(const common::WorkloadKey& key,
                                                       const TrackedWorkload& tracked,
                                                       const std::vector<ObservedDenial>& add,
                                                       const WriterOptions& options,
                                                       int64_t now_unix_ms);

// Creates or replaces the proposal: true once written, false when an object of that name
// exists that is not a Tailor proposal (never overwritten).
common::Result<bool> write_proposed_profile(common::KubeClient& client,
                                            const common::WorkloadKey& key,
                                            const nlohmann::json& object,
                                            const std::string& version);

}  // namespace tailor::aggregator
