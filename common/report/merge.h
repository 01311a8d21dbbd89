#pragma once

#include <string>
#include <vector>

#include "common/report/report.h"
#include "common/util/result.h"

namespace tailor::common {

// A report to merge and what to call it in the merged report's info ("a.json").
struct MergeInput {
  std::string source;
  Report report;
};

// The union of several recordings of one workload (replicas, test runs), as one report a
// profile can be made from: the model's merge (common/model/merge.h) with Combine::sum, keyed
// by SyscallId; the earliest first_seen is kept with its caller. recorder_stats are summed.
// Denied calls are keyed by (arch, nr, action) and merged like entries; the merged section
// watched only the actions every input watched (an input without the section watched none).
// info has target_kind "merge" and lists the sources in target.
//
// On syscalls and stats the merge is commutative and associative, and merging a report with
// itself keeps its set of entries and values (counts double). An error when the same entry's
// argument index differs between inputs, which only reports of different formats can cause.
Result<Report> merge_reports(const std::vector<MergeInput>& inputs);

}  // namespace tailor::common
