#include "common/k8s/seccomp_profile_object.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "common/k8s/object_names.h"
#include "common/k8s/yaml_json.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

using nlohmann::json;

constexpr const char* kKind = "SeccompProfile";
// What runc and crun answer a denied call with when the profile names no errno.
constexpr uint32_t kRuntimeDefaultErrno = 1;  // EPERM
// Spec fields SPO adds to the OCI ones; none of them changes what the filter allows.
constexpr const char* kSpoOnlyFields[] = {"baseProfileName", "flags", "listenerPath",
                                          "listenerMetadata", "state"};

// "syscalls[17] (bpf, clone, clone3, fanotify_init and 22 more)": Docker's rules list dozens.
std::string rule_label(const SyscallRule& rule, std::size_t index) {
  constexpr std::size_t kShown = 4;
  std::string names =
      join({rule.names.begin(), rule.names.begin() + std::min(kShown, rule.names.size())});
  if (rule.names.size() > kShown)
    names += " and " + std::to_string(rule.names.size() - kShown) + " more";
  return "syscalls[" + std::to_string(index) + "] (" + names + ")";
}

Status check_metadata(const SpoObjectOptions& options) {
  if (options.api_version != "v1" && options.api_version != "v1beta1") {
    return make_error("unknown SeccompProfile version \"" + options.api_version +
                      "\"; valid: v1, v1beta1");
  }
  if (auto name = check_dns1123_subdomain(options.name, "SeccompProfile name"); !name.ok()) {
    return name;
  }
  if (options.api_version == "v1" && !options.namespace_name.empty()) {
    return make_error(
        "SeccompProfile v1 is cluster-scoped and takes no namespace; drop it, or "
        "use v1beta1 for SPO releases where SeccompProfile is namespaced");
  }
  if (options.api_version == "v1beta1") {
    if (options.namespace_name.empty()) {
      return make_error("SeccompProfile v1beta1 is namespaced: give the namespace to put it in");
    }
    if (auto ns = check_dns1123_label(options.namespace_name, "namespace"); !ns.ok()) return ns;
  }
  for (const auto& [key, value] : options.labels) {
    if (auto status = check_qualified_name(key, "label key"); !status.ok()) return status;
    if (auto status = check_label_value(value, "label value"); !status.ok()) return status;
  }
  for (const auto& [key, value] : options.annotations) {
    if (auto status = check_qualified_name(key, "annotation key"); !status.ok()) return status;
  }
  return ok_status();
}

// The CRD declares integers as int64 and errnoRet as int32, both non-negative: a larger
// unsigned value would be refused by the API server.
Status check_ranges(const Profile& profile) {
  constexpr auto kMaxValue = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  constexpr auto kMaxErrno = static_cast<uint32_t>(std::numeric_limits<int32_t>::max());
  for (const auto& name : profile.architectures) {
    const auto& valid = spo_architectures();
    if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
      return make_error("architecture " + name +
                        " cannot be in a SeccompProfile; valid: " + join(valid));
    }
  }
  for (std::size_t i = 0; i < profile.syscalls.size(); ++i) {
    const auto& rule = profile.syscalls[i];
    if (rule.names.empty()) {
      return make_error("syscalls[" + std::to_string(i) +
                        "] names no syscall; a SeccompProfile rule needs at least one");
    }
    if (rule.errno_ret && *rule.errno_ret > kMaxErrno) {
      return make_error(rule_label(rule, i) + ": errnoRet " + std::to_string(*rule.errno_ret) +
                        " is larger than a SeccompProfile's int32 allows");
    }
    for (const auto& arg : rule.args) {
      if (arg.value > kMaxValue || arg.value_two > kMaxValue) {
        return make_error(rule_label(rule, i) + ": argument " + std::to_string(arg.index) +
                          " compares with a value above 2^63-1, which a SeccompProfile's "
                          "int64 fields cannot hold");
      }
    }
  }
  return ok_status();
}

// The profile less what seccomp_profile_losses lists.
Profile representable(const Profile& profile) {
  Profile out = profile;
  out.default_errno_ret.reset();
  out.arch_map.clear();
  std::erase_if(out.syscalls, [](const SyscallRule& rule) { return rule.is_conditional(); });
  // A comment does not change what the filter allows; the CRD has no place for it.
  for (auto& rule : out.syscalls) rule.comment.clear();
  return out;
}

json metadata(const SpoObjectOptions& options) {
  json out = {{"name", options.name}};
  if (!options.namespace_name.empty()) out["namespace"] = options.namespace_name;
  if (!options.labels.empty()) out["labels"] = options.labels;
  if (!options.annotations.empty()) out["annotations"] = options.annotations;
  return out;
}

}  // namespace

const std::vector<std::string>& spo_architectures() {
  // The enum of spec.architectures in SPO's CRD (deploy/base-crds/crds/seccompprofile.yaml);
  // a test compares it with the CRD.
  static const std::vector<std::string> kArches = {
      "SCMP_ARCH_NATIVE",    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",
      "SCMP_ARCH_ARM",       "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
      "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
      "SCMP_ARCH_PPC",       "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",
      "SCMP_ARCH_S390X",     "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64"};
  return kArches;
}

std::vector<std::string> seccomp_profile_losses(const Profile& profile) {
  std::vector<std::string> losses;
  if (profile.default_errno_ret && *profile.default_errno_ret != kRuntimeDefaultErrno) {
    losses.push_back("defaultErrnoRet " + std::to_string(*profile.default_errno_ret) +
                     " is dropped: SeccompProfile has no such field, so denied calls fail with "
                     "EPERM, the runtime's default");
  }
  if (!profile.arch_map.empty()) {
    losses.push_back(
        "archMap is dropped: SeccompProfile has no such field; list the "
        "architectures in architectures instead");
  }
  for (std::size_t i = 0; i < profile.syscalls.size(); ++i) {
    if (profile.syscalls[i].is_conditional()) {
      losses.push_back(rule_label(profile.syscalls[i], i) +
                       " is left out: its includes/excludes conditions are Docker's and "
                       "SeccompProfile has none");
    }
  }
  return losses;
}

Result<nlohmann::json> seccomp_profile_object(const Profile& profile,
                                              const SpoObjectOptions& options) {
  if (auto status = check_metadata(options); !status.ok()) return status.error();
  if (auto status = check_ranges(profile); !status.ok()) return status.error();
  return json{{"apiVersion", std::string(kSpoGroup) + "/" + options.api_version},
              {"kind", kKind},
              {"metadata", metadata(options)},
              {"spec", json::parse(encode_profile(representable(profile)))}};
}

Result<std::string> seccomp_profile_yaml(const Profile& profile, const SpoObjectOptions& options) {
  auto object = seccomp_profile_object(profile, options);
  if (!object.ok()) return object.error();
  return json_to_yaml(*object);
}

Result<std::string> seccomp_profile_json(const Profile& profile, const SpoObjectOptions& options) {
  auto object = seccomp_profile_object(profile, options);
  if (!object.ok()) return object.error();
  return object->dump(2);
}

Result<ProfileWithWarnings> profile_from_seccomp_profile(const nlohmann::json& object,
                                                         const ProfileDecodeOptions& options) {
  const std::string group_prefix = std::string(kSpoGroup) + "/";
  // value() throws for a field of another type ("kind:" with nothing after it is null).
  const auto text_field = [&](const char* name) {
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!object.is_object() || text_field("kind") != kKind ||
      !text_field("apiVersion").starts_with(group_prefix)) {
    return make_error(std::string("not a SeccompProfile: expected kind SeccompProfile and "
                                  "apiVersion ") +
                      kSpoGroup + "/<version>");
  }
  const auto spec = object.find("spec");
  if (spec == object.end() || !spec->is_object()) {
    return make_error("invalid SeccompProfile: spec: expected an object");
  }
  json oci = *spec;
  std::vector<std::string> warnings;
  if (oci.contains("baseProfileName")) {
    warnings.push_back("baseProfileName " + oci["baseProfileName"].dump() +
                       " is not followed: the base profile's syscalls are not included");
  }
  for (const char* field : kSpoOnlyFields) oci.erase(field);
  auto decoded = decode_profile(oci.dump(), options);
  if (!decoded.ok()) return decoded.error();
  decoded->warnings.insert(decoded->warnings.begin(), warnings.begin(), warnings.end());
  return decoded;
}

}  // namespace tailor::common
