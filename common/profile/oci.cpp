#include "common/profile/oci.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/enum_names.h"
#include "common/util/json_reader.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr EnumNames<Action, 9> kActionNames = {{
    {Action::kill, "SCMP_ACT_KILL"},
    {Action::kill_process, "SCMP_ACT_KILL_PROCESS"},
    {Action::kill_thread, "SCMP_ACT_KILL_THREAD"},
    {Action::trap, "SCMP_ACT_TRAP"},
    {Action::return_errno, "SCMP_ACT_ERRNO"},
    {Action::trace, "SCMP_ACT_TRACE"},
    {Action::allow, "SCMP_ACT_ALLOW"},
    {Action::log, "SCMP_ACT_LOG"},
    {Action::notify, "SCMP_ACT_NOTIFY"},
}};

constexpr EnumNames<ArgOp, 7> kArgOpNames = {{
    {ArgOp::not_equal, "SCMP_CMP_NE"},
    {ArgOp::less_than, "SCMP_CMP_LT"},
    {ArgOp::less_or_equal, "SCMP_CMP_LE"},
    {ArgOp::equal, "SCMP_CMP_EQ"},
    {ArgOp::greater_or_equal, "SCMP_CMP_GE"},
    {ArgOp::greater_than, "SCMP_CMP_GT"},
    {ArgOp::masked_equal, "SCMP_CMP_MASKED_EQ"},
}};

// Syscalls take at most six arguments.
constexpr uint32_t kMaxArgs = 6;

Error invalid(const std::string& message) {
  return make_error("invalid seccomp profile: " + message);
}

ordered_json encode_condition(const RuleCondition& condition) {
  ordered_json out = ordered_json::object();
  if (!condition.caps.empty()) out["caps"] = condition.caps;
  if (!condition.arches.empty()) out["arches"] = condition.arches;
  if (!condition.min_kernel.empty()) out["minKernel"] = condition.min_kernel;
  return out;
}

ordered_json encode_rule(const SyscallRule& rule) {
  ordered_json out = {{"names", rule.names}, {"action", action_name(rule.action)}};
  if (rule.errno_ret) out["errnoRet"] = *rule.errno_ret;
  if (!rule.args.empty()) {
    ordered_json& args = out["args"] = ordered_json::array();
    for (const auto& arg : rule.args) {
      ordered_json encoded = {{"index", arg.index}, {"value", arg.value}};
      // Docker and runc leave valueTwo out when it is 0, its default.
      if (arg.value_two != 0) encoded["valueTwo"] = arg.value_two;
      encoded["op"] = arg_op_name(arg.op);
      args.push_back(std::move(encoded));
    }
  }
  if (!rule.comment.empty()) out["comment"] = rule.comment;
  if (rule.includes) out["includes"] = encode_condition(*rule.includes);
  if (rule.excludes) out["excludes"] = encode_condition(*rule.excludes);
  return out;
}

// Decodes one document; names are validated afterwards, once all architectures are known.
class Decoder {
 public:
  explicit Decoder(const ProfileDecodeOptions& options) : options_(options) {}

  Result<ProfileWithWarnings> decode(const json& document) {
    JsonObjectReader root(document, "");
    Profile profile;
    profile.default_action = root.required_enum("defaultAction", parse_action);
    profile.default_errno_ret = root.optional<uint32_t>("defaultErrnoRet");
    profile.architectures = root.optional<std::vector<std::string>>("architectures")
                                .value_or(std::vector<std::string>{});
    for (const auto& name : profile.architectures) check_arch(root, "architectures", name);
    root.optional_elements("archMap", [&](JsonObjectReader& entry) {
      profile.arch_map.push_back(read_arch_map_entry(entry));
    });
    root.optional_elements(
        "syscalls", [&](JsonObjectReader& rule) { profile.syscalls.push_back(read_rule(rule)); });
    if (!root.ok()) return invalid(root.error().message);
    if (auto status = check_names(profile); !status.ok()) return status.error();
    return ProfileWithWarnings{std::move(profile), std::move(warnings_)};
  }

 private:
  // An unknown name is an error, or a warning when the caller accepts unknown names.
  void unknown_name(JsonObjectReader& reader, std::string_view key, const std::string& problem) {
    if (options_.allow_unknown_names) {
      warnings_.push_back(reader.path_of(key) + ": " + problem);
    } else {
      reader.fail(key, problem);
    }
  }

  void check_arch(JsonObjectReader& reader, std::string_view key, const std::string& oci_name) {
    if (!reader.ok()) return;
    const auto token = arch_from_oci_name(oci_name);
    if (!token.ok()) {
      unknown_name(reader, key, token.error().message);
    } else if (std::find(arches_.begin(), arches_.end(), *token) == arches_.end()) {
      arches_.push_back(*token);
    }
  }

  ArchMapEntry read_arch_map_entry(JsonObjectReader& reader) {
    ArchMapEntry entry;
    entry.architecture = reader.required<std::string>("architecture");
    check_arch(reader, "architecture", entry.architecture);
    entry.sub_architectures = reader.optional<std::vector<std::string>>("subArchitectures")
                                  .value_or(std::vector<std::string>{});
    for (const auto& name : entry.sub_architectures) {
      check_arch(reader, "subArchitectures", name);
    }
    return entry;
  }

  SyscallRule read_rule(JsonObjectReader& reader) {
    SyscallRule rule;
    rule.names = reader.required<std::vector<std::string>>("names");
    rule.action = reader.required_enum("action", parse_action);
    rule.errno_ret = reader.optional<uint32_t>("errnoRet");
    reader.optional_elements("args",
                             [&](JsonObjectReader& arg) { rule.args.push_back(read_arg(arg)); });
    rule.comment = reader.optional<std::string>("comment").value_or("");
    rule.includes = read_condition(reader, "includes");
    rule.excludes = read_condition(reader, "excludes");
    return rule;
  }

  static ArgRule read_arg(JsonObjectReader& reader) {
    ArgRule arg;
    arg.index = reader.required<uint32_t>("index");
    if (reader.ok() && arg.index >= kMaxArgs) {
      reader.fail("index", "must be 0 to " + std::to_string(kMaxArgs - 1));
    }
    arg.value = reader.required<uint64_t>("value");
    arg.value_two = reader.optional<uint64_t>("valueTwo").value_or(0);
    arg.op = reader.required_enum("op", parse_arg_op);
    return arg;
  }

  // Older Docker profiles carry an empty condition on every rule; that is no condition.
  static std::optional<RuleCondition> read_condition(JsonObjectReader& reader,
                                                     std::string_view key) {
    const json* object = reader.optional_object(key);
    if (object == nullptr) return std::nullopt;
    JsonObjectReader fields(*object, reader.path_of(key));
    RuleCondition condition;
    condition.caps =
        fields.optional<std::vector<std::string>>("caps").value_or(std::vector<std::string>{});
    condition.arches =
        fields.optional<std::vector<std::string>>("arches").value_or(std::vector<std::string>{});
    condition.min_kernel = fields.optional<std::string>("minKernel").value_or("");
    reader.absorb(fields);
    if (condition.caps.empty() && condition.arches.empty() && condition.min_kernel.empty()) {
      return std::nullopt;
    }
    return condition;
  }

  Status check_names(Profile& profile) {
    // A runtime filters the native architecture when a profile lists none.
    if (arches_.empty()) arches_.push_back(native_arch());
    // Docker's default covers 14 architectures; naming them all would drown the syscall.
    const std::string arches_text =
        arches_.size() <= 4
            ? join(arches_)
            : "any of the profile's " + std::to_string(arches_.size()) + " architectures";
    for (std::size_t i = 0; i < profile.syscalls.size(); ++i) {
      auto& names = profile.syscalls[i].names;
      for (const auto& name : names) {
        if (syscall_exists_on_any(arches_, name)) continue;
        const std::string problem = JsonObjectReader::element_path("syscalls", i) +
                                    ".names: syscall \"" + name + "\" is unknown to libseccomp " +
                                    libseccomp_version() + " on " + arches_text +
                                    (options_.drop_unknown_names ? ": left out" : "");
        if (!options_.allow_unknown_names) return invalid(problem);
        warnings_.push_back(problem);
      }
      if (options_.drop_unknown_names) {
        std::erase_if(
            names, [&](const std::string& name) { return !syscall_exists_on_any(arches_, name); });
      }
    }
    // A rule whose every name was left out would otherwise match nothing, or be refused.
    if (options_.drop_unknown_names) {
      std::erase_if(profile.syscalls, [](const SyscallRule& rule) { return rule.names.empty(); });
    }
    return ok_status();
  }

  const ProfileDecodeOptions& options_;
  std::vector<std::string> arches_;  // tokens of the known architectures the profile covers
  std::vector<std::string> warnings_;
};

}  // namespace

std::string_view action_name(Action action) { return enum_name(kActionNames, action); }

Result<Action> parse_action(std::string_view name) {
  return parse_enum(kActionNames, name, "action");
}

std::string_view arg_op_name(ArgOp op) { return enum_name(kArgOpNames, op); }

Result<ArgOp> parse_arg_op(std::string_view name) {
  return parse_enum(kArgOpNames, name, "comparison operator");
}

std::string encode_profile(const Profile& profile) {
  ordered_json out = {{"defaultAction", action_name(profile.default_action)}};
  if (profile.default_errno_ret) out["defaultErrnoRet"] = *profile.default_errno_ret;
  if (!profile.architectures.empty()) out["architectures"] = profile.architectures;
  if (!profile.arch_map.empty()) {
    ordered_json& arch_map = out["archMap"] = ordered_json::array();
    for (const auto& entry : profile.arch_map) {
      arch_map.push_back(
          {{"architecture", entry.architecture}, {"subArchitectures", entry.sub_architectures}});
    }
  }
  ordered_json& syscalls = out["syscalls"] = ordered_json::array();
  for (const auto& rule : profile.syscalls) syscalls.push_back(encode_rule(rule));
  return out.dump(2);
}

Result<ProfileWithWarnings> decode_profile(const std::string& json_text,
                                           const ProfileDecodeOptions& options) {
  const auto document = parse_json(json_text);
  if (!document.ok()) return invalid(document.error().message);
  return Decoder(options).decode(*document);
}

}  // namespace tailor::common
