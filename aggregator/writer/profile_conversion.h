#pragma once

#include "aggregator/store/merged_workload.h"
#include "common/profile/generate.h"
#include "common/profile/oci.h"
#include "common/util/result.h"

namespace tailor::aggregator {

// The report the merged syscalls make, with their real counts summed over agent runs: the
// native architecture is the one with the most syscalls (the nodes' own); it starts at the
// earliest first sight of a syscall and each syscall's first_seen_ns counts from there.
common::Report report_of(const MergedWorkload& workload);

// The profile of a merged workload: generate_profile on report_of(workload).
common::Result<common::GeneratedProfile> profile_for(const MergedWorkload& workload,
                                                     const common::GenerateOptions& options);

// The syscalls a written profile allows, back as a merged workload, so a restart or another
// replica's write loses nothing. Every name a rule gives an action other than the default is
// taken, on each of the profile's architectures. Argument values come back, with unknown (0)
// calls, when each rule of the name compares one argument for equality; any other argument
// rule, or a name allowed outright, comes back without the argument, which merged with an
// agent's values is incomplete and never takes a permission away.
MergedWorkload workload_from_profile(const common::Profile& profile);

}  // namespace tailor::aggregator
