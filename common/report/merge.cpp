#include "common/report/merge.h"

#include <algorithm>
#include <map>

#include "common/model/merge.h"
#include "common/util/saturating.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

Status merge_entry(SyscallEntry& into, const SyscallEntry& from) {
  if (into.arg && from.arg && into.arg->index != from.arg->index) {
    return make_error("cannot merge " + into.arch + " " + into.name +
                      ": the reports recorded different arguments (" +
                      std::to_string(into.arg->index) + " and " + std::to_string(from.arg->index) +
                      "); they come from incompatible tailor versions");
  }
  keep_first_sighting(into, from);
  merge_calls(into, from, Combine::sum);
  return ok_status();
}

// Distinct values in input order: "node-a, node-b".
template <typename Field>
std::string distinct(const std::vector<MergeInput>& inputs, Field field) {
  std::vector<std::string> values;
  for (const auto& input : inputs) {
    const std::string& value = input.report.info.*field;
    if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
  }
  return join(values);
}

// Reports of different native architectures merge: every entry keeps its arch, and a profile
// covers each arch its entries use, so the merged native_arch only has to be one of the
// inputs'. It is the most common one (ties: first by name), whatever the input order.
std::string common_native_arch(const std::vector<MergeInput>& inputs) {
  std::map<std::string, int> votes;
  for (const auto& input : inputs) ++votes[input.report.info.native_arch];
  return std::max_element(votes.begin(), votes.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

RecordingInfo merged_info(const std::vector<MergeInput>& inputs) {
  RecordingInfo info;
  info.target_kind = "merge";
  std::vector<std::string> sources;
  for (const auto& input : inputs) sources.push_back(input.source);
  info.target = join(sources);
  info.cgroup_path = distinct(inputs, &RecordingInfo::cgroup_path);
  info.hostname = distinct(inputs, &RecordingInfo::hostname);
  info.kernel = distinct(inputs, &RecordingInfo::kernel);
  info.native_arch = common_native_arch(inputs);
  info.tailor_version = distinct(inputs, &RecordingInfo::tailor_version);
  // From the first start to the last end: recordings of replicas overlap.
  int64_t start = inputs.front().report.info.started_unix_ms;
  int64_t end = start;
  for (const auto& input : inputs) {
    const RecordingInfo& each = input.report.info;
    start = std::min(start, each.started_unix_ms);
    end = std::max(end, each.started_unix_ms + static_cast<int64_t>(each.duration_ms));
  }
  info.started_unix_ms = start;
  info.duration_ms = static_cast<uint64_t>(end - start);
  const auto& first_status = inputs.front().report.info.exit_status;
  const bool same_status = std::all_of(inputs.begin(), inputs.end(), [&](const MergeInput& input) {
    return input.report.info.exit_status == first_status;
  });
  if (same_status) info.exit_status = first_status;
  return info;
}

}  // namespace

Result<Report> merge_reports(const std::vector<MergeInput>& inputs) {
  if (inputs.empty()) return make_error("nothing to merge: give at least one report");
  // first_seen_ns stays relative to each input's own start: for replicas and test runs what
  // matters is how soon after start a call came, not when on the wall clock.
  std::map<SyscallId, SyscallEntry> entries;
  Report merged;
  for (const auto& input : inputs) {
    for (const auto& entry : input.report.syscalls) {
      auto [it, inserted] = entries.try_emplace(entry.id(), entry);
      if (inserted) continue;
      if (auto status = merge_entry(it->second, entry); !status.ok()) {
        return make_error(input.source + ": " + status.error().message);
      }
    }
    for (const auto& [name, value] : input.report.recorder_stats) {
      merged.recorder_stats[name] = saturating_add(merged.recorder_stats[name], value);
    }
  }
  // A report without the section watched for no denial: its denials may be missing, which
  // the merged section says by watching only what every input watched.
  const Denials none;
  std::vector<const Denials*> denials;
  for (const auto& input : inputs)
    denials.push_back(input.report.denied ? &*input.report.denied : &none);
  if (std::any_of(inputs.begin(), inputs.end(),
                  [](const MergeInput& input) { return input.report.denied.has_value(); }))
    merged.denied = merge_denials(denials);
  merged.info = merged_info(inputs);
  for (auto& [key, entry] : entries) merged.syscalls.push_back(std::move(entry));
  return merged;
}

}  // namespace tailor::common
