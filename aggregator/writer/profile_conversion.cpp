#include "aggregator/writer/profile_conversion.h"

#include <algorithm>
#include <map>

#include "common/model/merge.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"

namespace tailor::aggregator {
namespace {

std::string most_used_arch(const MergedWorkload& workload) {
  std::map<std::string, int> uses;
  for (const auto& [id, syscall] : workload.syscalls) ++uses[id.arch];
  const auto most = std::max_element(
      uses.begin(), uses.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return most == uses.end() ? common::native_arch() : most->first;
}

// What the rules of one name say about its argument.
struct ArgKnowledge {
  std::optional<uint32_t> index;
  std::set<uint64_t> values;
  bool restricted_by_equality = true;
};

}  // namespace

common::Report report_of(const MergedWorkload& workload) {
  common::Report report;
  report.info.target_kind = "merge";
  report.info.native_arch = most_used_arch(workload);
  int64_t start_unix_ms = 0;
  for (const auto& [id, syscall] : workload.syscalls)
    common::merge_first_seen(start_unix_ms, syscall.first_seen_unix_ms);
  report.info.started_unix_ms = start_unix_ms;
  for (const auto& [id, syscall] : workload.syscalls) {
    common::SyscallEntry entry{.arch = id.arch,
                               .nr = id.nr,
                               .name = syscall.name,
                               .phase = id.phase,
                               .count = syscall.count(),
                               .arg = syscall.arg_calls()};
    if (syscall.first_seen_unix_ms > 0) {
      entry.first_seen_ns =
          static_cast<uint64_t>(syscall.first_seen_unix_ms - start_unix_ms) * 1'000'000;
    }
    report.syscalls.push_back(std::move(entry));
  }
  return report;
}

common::Result<common::GeneratedProfile> profile_for(const MergedWorkload& workload,
                                                     const common::GenerateOptions& options) {
  return common::generate_profile(report_of(workload), options);
}

MergedWorkload workload_from_profile(const common::Profile& profile) {
  std::map<std::string, ArgKnowledge> names;
  for (const auto& rule : profile.syscalls) {
    if (rule.action == profile.default_action && rule.errno_ret == profile.default_errno_ret) {
      continue;
    }
    for (const auto& name : rule.names) {
      ArgKnowledge& known = names[name];
      if (rule.args.size() != 1 || rule.args.front().op != common::ArgOp::equal ||
          (known.index && *known.index != rule.args.front().index)) {
        known.restricted_by_equality = false;
        continue;
      }
      known.index = rule.args.front().index;
      known.values.insert(rule.args.front().value);
    }
  }
  std::vector<std::string> arches;
  for (const auto& oci : profile.architectures) {
    if (auto arch = common::arch_from_oci_name(oci)) arches.push_back(*arch);
  }
  if (arches.empty()) arches.push_back(common::native_arch());

  MergedWorkload workload;
  for (const auto& [name, known] : names) {
    for (const auto& arch : arches) {
      auto nr = common::syscall_number(arch, name);
      if (!nr || !*nr) continue;
      MergedSyscall syscall;
      syscall.name = name;
      // A name allowed outright has no argument: merged with an agent's values it is
      // incomplete, so it stays unrestricted. The calls of a value are unknown.
      if (known.restricted_by_equality && known.index) {
        auto& arg = syscall.rare.write().arg.emplace(common::RecordedArg{*known.index, {}, true});
        for (uint64_t value : known.values) arg.values.emplace(value, 0);
      }
      workload.syscalls.emplace(SyscallId{arch, **nr, common::Phase::workload}, std::move(syscall));
    }
  }
  return workload;
}

}  // namespace tailor::aggregator
