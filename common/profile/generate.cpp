#include "common/profile/generate.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/model/merge.h"
#include "common/profile/arg_rules.h"
#include "common/profile/implications.h"
#include "common/profile/runtime_needs.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/enum_names.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

// EPERM, as Docker's default profile answers a denied call.
constexpr uint32_t kDeniedErrno = 1;

constexpr EnumNames<ArgLevel, 3> kArgLevelNames = {{
    {ArgLevel::off, "off"},
    {ArgLevel::standard, "standard"},
    {ArgLevel::strict, "strict"},
}};

// Tokens, native first.
Result<std::vector<std::string>> profile_arches(const Report& report,
                                                const GenerateOptions& options) {
  std::vector<std::string> tokens = {report.info.native_arch};
  for (const auto& entry : report.syscalls) tokens.push_back(entry.arch);
  for (const auto& text : options.extra_arches) {
    auto token = parse_arch(text);
    if (!token.ok()) return token.error();
    tokens.push_back(*token);
  }
  std::vector<std::string> unique;
  for (const auto& token : tokens) {
    if (auto oci_name = oci_arch_name(token); !oci_name.ok()) return oci_name.error();
    if (std::find(unique.begin(), unique.end(), token) == unique.end()) unique.push_back(token);
  }
  return unique;
}

// What the recording says about the syscalls the profile must allow.
struct Recorded {
  std::set<std::string> names;
  // Native workload names whose argument values were recorded, merged with the values the
  // runtime's calls after its filter had.
  std::map<std::string, RecordedArg> args;
  // Names whose values do not tell every call apart: seen without values or on another
  // architecture (whose calls share the profile's rules), or needed whatever the recording
  // shows.
  std::set<std::string> by_name_only;
};

std::optional<std::string> name_of(const SyscallEntry& entry) {
  if (!entry.name.empty()) return entry.name;
  // A newer libseccomp than the recorder's may know a name the report lacks.
  if (auto resolved = syscall_name(entry.arch, entry.nr); resolved.ok()) return *resolved;
  return std::nullopt;
}

Recorded read_recording(const Report& report, ArgLevel level, std::vector<std::string>& warnings) {
  Recorded recorded;
  std::set<std::string> workload_args;
  std::set<std::string> warned_incomplete;
  for (const auto& entry : report.syscalls) {
    if (entry.phase == Phase::runtime_setup) continue;
    const std::optional<std::string> name = name_of(entry);
    if (!name) {
      warnings.push_back(entry.arch + " syscall " + std::to_string(entry.nr) +
                         " has no name in libseccomp " + libseccomp_version() +
                         ", so the profile cannot allow it: calls to it will fail with "
                         "EPERM; a newer libseccomp may know it");
      continue;
    }
    recorded.names.insert(*name);
    if (entry.arch != report.info.native_arch || !entry.arg) {
      recorded.by_name_only.insert(*name);
      continue;
    }
    if (entry.phase == Phase::workload) workload_args.insert(*name);
    auto [merged, first] = recorded.args.try_emplace(*name, *entry.arg);
    if (!first) {
      merge_counts(merged->second.values, entry.arg->values, Combine::sum);
      merged->second.complete = merged->second.complete && entry.arg->complete;
    }
    if (!entry.arg->complete && restricts_arguments(level, *name) &&
        warned_incomplete.insert(*name).second) {
      warnings.push_back(*name +
                         ": the recorder kept only some of its argument values, so the "
                         "profile allows it with any arguments");
    }
  }
  // The runtime's own calls are allowed by name: its values say nothing about the workload.
  for (const auto& [name, arg] : recorded.args) {
    if (!workload_args.contains(name) || !arg.complete) recorded.by_name_only.insert(name);
  }
  return recorded;
}

// Allows a syscall the recording does not show; a name already allowed keeps its first reason.
void add_syscall(const std::string& name, std::string reason, bool by_name_only, Recorded& recorded,
                 std::vector<AddedSyscall>& added) {
  if (by_name_only) recorded.by_name_only.insert(name);
  if (recorded.names.insert(name).second) added.push_back({name, std::move(reason)});
}

Status add_requested(const Report& report, const GenerateOptions& options,
                     const std::vector<std::string>& arches, Recorded& recorded,
                     std::vector<AddedSyscall>& added) {
  std::set<Runtime> runtimes(options.runtimes.begin(), options.runtimes.end());
  for (const Runtime runtime : detect_runtimes(report)) runtimes.insert(runtime);
  // The runtime's values were not measured: unless this recording saw its calls after the
  // filter, any argument must pass.
  std::set<std::string> runtime_recorded;
  for (const auto& entry : report.syscalls) {
    if (entry.phase == Phase::runtime_filtered) runtime_recorded.insert(entry.name);
  }
  for (const Runtime runtime : runtimes) {
    const std::string reason =
        std::string(runtime_name(runtime)) + " calls it after installing the filter";
    for (const auto& name : runtime_post_filter_syscalls(runtime, options.no_new_privileges)) {
      if (syscall_exists_on_any(arches, name)) {
        add_syscall(name, reason, !runtime_recorded.contains(name), recorded, added);
      }
    }
  }
  for (const auto& name : options.always_allow) {
    if (!syscall_exists_on_any(arches, name)) {
      return make_error("cannot allow \"" + name + "\": libseccomp " + libseccomp_version() +
                        " knows no such syscall on " + join(arches));
    }
    add_syscall(name, "asked for", true, recorded, added);
  }
  if (options.implications) {
    std::set<std::string> also_allowed;
    for (const auto& call : added) also_allowed.insert(call.name);
    for (auto& implied : implied_syscalls(report, also_allowed)) {
      if (syscall_exists_on_any(arches, implied.name)) {
        add_syscall(implied.name, std::move(implied.reason), true, recorded, added);
      }
    }
  }
  return ok_status();
}

// The argument rules by name, and a clone for libc to fall back to when clone3 gets ENOSYS.
std::map<std::string, std::vector<SyscallRule>> restricted_rules(ArgLevel level, Recorded& recorded,
                                                                 std::vector<AddedSyscall>& added) {
  std::map<std::string, std::vector<SyscallRule>> restricted;
  for (const auto& [name, arg] : recorded.args) {
    if (recorded.by_name_only.contains(name)) continue;
    if (auto rules = arg_rules(level, name, arg)) restricted.emplace(name, std::move(*rules));
  }
  const auto clone3 = restricted.find("clone3");
  if (clone3 != restricted.end() && clone3->second.front().action == Action::return_errno &&
      !recorded.names.contains("clone")) {
    // libc retries with the flags clone3 had, none of which creates a namespace.
    const RecordedArg flags{.index = kCloneFlagsIndex, .values = recorded.args.at("clone3").values};
    if (auto rules = arg_rules(level, "clone", flags))
      restricted.emplace("clone", std::move(*rules));
    add_syscall("clone", "clone3 fails with ENOSYS, so libc retries with clone", false, recorded,
                added);
  }
  // Only clone recorded: libc fell back, likely because the filter it was recorded under
  // (Docker's or containerd's RuntimeDefault) answered clone3 with ENOSYS. Under this profile
  // clone3 must get ENOSYS again, not the default EPERM, on which libc gives up instead of
  // falling back; runc stubs newer syscalls with ENOSYS itself, crun does not.
  if (recorded.names.contains("clone") && !recorded.names.contains("clone3") &&
      !restricted.contains("clone3")) {
    restricted.emplace("clone3", std::vector<SyscallRule>{{.names = {"clone3"},
                                                           .action = Action::return_errno,
                                                           .errno_ret = kClone3Errno}});
  }
  return restricted;
}

Profile layout(const std::vector<std::string>& arches, const Recorded& recorded,
               const std::map<std::string, std::vector<SyscallRule>>& restricted) {
  Profile profile;
  profile.default_action = Action::return_errno;
  profile.default_errno_ret = kDeniedErrno;
  for (const auto& arch : arches) profile.architectures.push_back(*oci_arch_name(arch));
  SyscallRule by_name{.action = Action::allow};
  for (const auto& name : recorded.names) {
    if (!restricted.contains(name)) by_name.names.push_back(name);
  }
  if (!by_name.names.empty()) profile.syscalls.push_back(std::move(by_name));
  std::vector<SyscallRule> errno_rules;
  for (const auto& [name, rules] : restricted) {
    for (const auto& rule : rules) {
      (rule.action == Action::allow ? profile.syscalls : errno_rules).push_back(rule);
    }
  }
  profile.syscalls.insert(profile.syscalls.end(), errno_rules.begin(), errno_rules.end());
  return profile;
}

}  // namespace

std::string_view arg_level_name(ArgLevel level) { return enum_name(kArgLevelNames, level); }

Result<ArgLevel> parse_arg_level(std::string_view name) {
  return parse_enum(kArgLevelNames, name, "argument level");
}

Result<GeneratedProfile> generate_profile(const Report& report, const GenerateOptions& options) {
  auto arches = profile_arches(report, options);
  if (!arches.ok()) return arches.error();

  GeneratedProfile out;
  Recorded recorded = read_recording(report, options.arg_level, out.warnings);
  if (auto status = add_requested(report, options, *arches, recorded, out.added); !status.ok()) {
    return status.error();
  }
  const auto restricted = restricted_rules(options.arg_level, recorded, out.added);
  out.profile = layout(*arches, recorded, restricted);
  return out;
}

}  // namespace tailor::common
