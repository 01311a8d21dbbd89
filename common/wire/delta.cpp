#include "common/wire/delta.h"

#include <nlohmann/json.hpp>

#include "common/model/syscall_json.h"

namespace tailor::common {
namespace {

using nlohmann::ordered_json;

ordered_json encode_syscall(const DeltaSyscall& entry) {
  ordered_json out = syscall_json(entry.id(), entry.name);
  out["count"] = entry.count;
  out["first_seen_unix_ms"] = entry.first_seen_unix_ms;
  if (entry.pods > 0) out["pods"] = entry.pods;
  if (entry.arg) out["arg"] = arg_json(*entry.arg);
  return out;
}

ordered_json encode_denial(const DeltaDenial& entry) {
  ordered_json out = {{"arch", entry.arch}, {"nr", entry.nr}};
  if (!entry.name.empty()) out["name"] = entry.name;
  out["action"] = denial_action_name(entry.action);
  out["count"] = entry.count;
  out["first_seen_unix_ms"] = entry.first_seen_unix_ms;
  out["first_pod"] = entry.first_pod;
  out["first_comm"] = entry.first_comm;
  return out;
}

ordered_json encode_workload(const WorkloadDelta& workload) {
  ordered_json syscalls = ordered_json::array();
  for (const auto& entry : workload.syscalls) syscalls.push_back(encode_syscall(entry));
  ordered_json out = {{"key",
                       {{"namespace", workload.key.namespace_name},
                        {"kind", workload.key.kind},
                        {"name", workload.key.name},
                        {"container", workload.key.container}}},
                      {"pods", workload.pods},
                      {"syscalls", std::move(syscalls)}};
  // Absent rather than empty: the common batch carries neither, and an older decoder
  // ignores both.
  if (!workload.denied.empty()) {
    ordered_json denied = ordered_json::array();
    for (const auto& entry : workload.denied) denied.push_back(encode_denial(entry));
    out["denied"] = std::move(denied);
  }
  if (const auto& enforcement = workload.enforcement)
    out["enforcement"] = {{"localhost_profile", enforcement->localhost_profile},
                          {"profile_type", enforcement->profile_type},
                          {"pods", enforcement->pods},
                          {"pods_filtered", enforcement->pods_filtered}};
  return out;
}

}  // namespace

std::string encode_delta(const Delta& delta) {
  ordered_json workloads = ordered_json::array();
  for (const auto& workload : delta.workloads) workloads.push_back(encode_workload(workload));
  const ordered_json document = {
      {"format", Delta::kFormatName},
      {"version", Delta::kFormatVersion},
      {"node", delta.node},
      {"agent", {{"id", delta.agent.id}, {"started_unix_ms", delta.agent.started_unix_ms}}},
      {"seq", delta.seq},
      {"workloads", std::move(workloads)},
  };
  return document.dump();
}

}  // namespace tailor::common
