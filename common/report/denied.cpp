#include "common/report/denied.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "common/model/merge.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/enum_names.h"
#include "common/util/saturating.h"

namespace tailor::common {
namespace {

using nlohmann::ordered_json;

constexpr EnumNames<DenialAction, 4> kActionNames = {{{DenialAction::kill_process, "kill_process"},
                                                      {DenialAction::kill_thread, "kill_thread"},
                                                      {DenialAction::trap, "trap"},
                                                      {DenialAction::errno_ret, "errno"}}};

using CallKey = std::tuple<std::string, uint32_t, DenialAction>;

CallKey key_of(const DeniedCall& call) { return {call.arch, call.nr, call.action}; }

ordered_json encode_call(const DeniedCall& call) {
  ordered_json out = {{"arch", call.arch}, {"nr", call.nr}};
  if (!call.name.empty()) out["name"] = call.name;
  out["action"] = denial_action_name(call.action);
  out["count"] = call.count;
  out["first_seen_ns"] = call.first_seen_ns;
  if (call.first_caller) out["first_caller"] = encode_first_caller(*call.first_caller);
  return out;
}

DeniedCall decode_call(JsonObjectReader& reader) {
  DeniedCall call;
  call.arch = reader.required<std::string>("arch");
  if (reader.ok())
    if (auto value = seccomp_arch_value(call.arch); !value.ok())
      reader.fail("arch", value.error().message);
  call.nr = reader.required<uint32_t>("nr");
  call.name = reader.optional<std::string>("name").value_or("");
  if (reader.ok() && !call.name.empty())
    if (const auto checked = check_syscall_name(call.arch, call.nr, call.name); !checked)
      reader.fail("name", checked.error().message);
  call.action = reader.required_enum("action", parse_denial_action);
  call.count = reader.required<uint64_t>("count");
  call.first_seen_ns = reader.required<uint64_t>("first_seen_ns");
  call.first_caller = read_first_caller(reader);
  return call;
}

}  // namespace

std::string_view denial_action_name(DenialAction action) { return enum_name(kActionNames, action); }

Result<DenialAction> parse_denial_action(std::string_view name) {
  return parse_enum(kActionNames, name, "denial action");
}

std::vector<DenialAction> watched_denial_actions(bool with_errno) {
  std::vector<DenialAction> watched = {DenialAction::kill_process, DenialAction::kill_thread,
                                       DenialAction::trap};
  if (with_errno) watched.push_back(DenialAction::errno_ret);
  return watched;
}

void sort_denied(std::vector<DeniedCall>& calls) {
  std::sort(calls.begin(), calls.end(),
            [](const DeniedCall& a, const DeniedCall& b) { return key_of(a) < key_of(b); });
}

ordered_json encode_denials(const Denials& denials) {
  ordered_json watched = ordered_json::array();
  for (DenialAction action : denials.watched) watched.push_back(denial_action_name(action));
  ordered_json calls = ordered_json::array();
  for (const auto& call : denials.calls) calls.push_back(encode_call(call));
  return {{"watched_actions", std::move(watched)}, {"calls", std::move(calls)}};
}

Denials decode_denials(JsonObjectReader& reader) {
  Denials denials;
  if (const auto names = reader.optional<std::vector<std::string>>("watched_actions")) {
    for (const auto& name : *names) {
      auto action = parse_denial_action(name);
      if (!action) {
        reader.fail("watched_actions", action.error().message);
        break;
      }
      denials.watched.push_back(*action);
    }
  }
  reader.required_elements("calls", [&](JsonObjectReader& call_reader) {
    denials.calls.push_back(decode_call(call_reader));
  });
  return denials;
}

Denials merge_denials(const std::vector<const Denials*>& inputs) {
  Denials merged;
  if (inputs.empty()) return merged;
  merged.watched = inputs.front()->watched;
  std::map<CallKey, DeniedCall> calls;
  for (const Denials* input : inputs) {
    std::erase_if(merged.watched, [input](DenialAction action) {
      return std::find(input->watched.begin(), input->watched.end(), action) ==
             input->watched.end();
    });
    for (const auto& call : input->calls) {
      auto [it, inserted] = calls.try_emplace(key_of(call), call);
      if (inserted) continue;
      DeniedCall& into = it->second;
      into.count = saturating_add(into.count, call.count);
      keep_first_sighting(into, call);
      merge_name(into.name, call.name);
    }
  }
  std::sort(merged.watched.begin(), merged.watched.end());  // whatever the inputs' order
  for (auto& [key, call] : calls) merged.calls.push_back(std::move(call));
  return merged;
}

}  // namespace tailor::common
