#include "common/report/denied.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/enum_names.h"
#include "common/util/saturating.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

using nlohmann::ordered_json;

constexpr EnumNames<DenialAction, 4> kActionNames = {{{DenialAction::kill_process, "kill_process"},
                                                      {DenialAction::kill_thread, "kill_thread"},
                                                      {DenialAction::trap, "trap"},
                                                      {DenialAction::errno_ret, "errno"}}};

// The seccomp actions that deny or would deny and that the recorder never sees, for the note
// under the table; an action it can see but did not watch is added to them.
constexpr std::string_view kUnwatched = "log, trace, user_notif";

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

DenialAction read_action(JsonObjectReader& reader) {
  const auto name = reader.required<std::string>("action");
  if (!reader.ok()) return DenialAction::kill_process;
  auto action = parse_denial_action(name);
  if (!action) {
    reader.fail("action", action.error().message);
    return DenialAction::kill_process;
  }
  return *action;
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
  call.action = read_action(reader);
  call.count = reader.required<uint64_t>("count");
  call.first_seen_ns = reader.required<uint64_t>("first_seen_ns");
  call.first_caller = read_first_caller(reader);
  return call;
}

std::string call_label(const DeniedCall& call, const std::string& native_arch) {
  std::string label = call.name.empty() ? "#" + std::to_string(call.nr) : call.name;
  if (call.arch != native_arch) label += " [" + call.arch + "]";
  return label;
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
      if (seen_before(call, into)) {
        into.first_seen_ns = call.first_seen_ns;
        into.first_caller = call.first_caller;
      }
      if (into.name.empty() || (!call.name.empty() && call.name < into.name)) into.name = call.name;
    }
  }
  std::sort(merged.watched.begin(), merged.watched.end());  // whatever the inputs' order
  for (auto& [key, call] : calls) merged.calls.push_back(std::move(call));
  return merged;
}

std::string render_denied_table(const Denials& denials, const std::string& native_arch) {
  std::string out = "DENIED by a seccomp filter (" + std::to_string(denials.calls.size()) +
                    (denials.calls.size() == 1 ? " syscall" : " syscalls") + ")\n";
  if (!denials.calls.empty()) {
    std::vector<std::vector<std::string>> rows = {
        {"SYSCALL", "ACTION", "COUNT", "FIRST DENIED", "FIRST PROCESS"}};
    for (const auto& call : denials.calls) {
      const std::string ms = std::to_string(call.first_seen_ns / 1'000'000 % 1000);
      rows.push_back({call_label(call, native_arch), std::string(denial_action_name(call.action)),
                      std::to_string(call.count),
                      "+" + std::to_string(call.first_seen_ns / 1'000'000'000) + "." +
                          std::string(3 - ms.size(), '0') + ms + "s",
                      call.first_caller ? call.first_caller->comm + "[" +
                                              std::to_string(call.first_caller->pid) + "]"
                                        : "-"});
    }
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows)
      for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        const std::string padding(widths[i] - row[i].size(), ' ');
        line += "  " + (i == 2 ? padding + row[i] : row[i] + padding);
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
  }
  std::vector<std::string> watched;
  std::vector<std::string> unwatched;
  for (const auto& [action, name] : kActionNames)
    (std::find(denials.watched.begin(), denials.watched.end(), action) != denials.watched.end()
         ? watched
         : unwatched)
        .emplace_back(name);
  unwatched.emplace_back(kUnwatched);
  out += "  (seen: " + (watched.empty() ? std::string("none") : join(watched)) + "; denials by " +
         join(unwatched) + " are not seen)\n";
  return out;
}

}  // namespace tailor::common
