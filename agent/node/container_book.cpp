#include "agent/node/container_book.h"

#include <cstring>
#include <filesystem>

#include "agent/cgroup/container_lookup.h"
#include "agent/cgroup/kubelet_path.h"

namespace tailor::agent {

ContainerRecord& ContainerBook::record_of(uint64_t cgroup_id, const std::string& name) {
  auto [it, added] = records_.try_emplace(cgroup_id);
  ContainerRecord& record = it->second;
  if (!added) return record;
  record.first_seen = std::chrono::steady_clock::now();
  record.session = std::make_unique<RecordingSession>(cgroup_id, start_ns_);
  auto path = cgroups_.path_of_id(cgroup_id);
  record.gone = !path;
  record.path = path ? *path : name;
  if (auto kubelet = parse_kubelet_cgroup(record.path)) {
    record.container_id = kubelet->container_id;
    record.pod_uid = kubelet->pod_uid;
  } else if (auto id = container_id_from_cgroup_name(
                 std::filesystem::path(record.path).filename().string())) {
    // Gone before we could look it up: its own name still gives the container
    // id, and the pod cache gives its pod.
    record.container_id = *id;
  }
  return record;
}

void ContainerBook::on_event(const tailor_event& event) {
  if (event.kind != TAILOR_EVENT_FIRST_SEEN && event.kind != TAILOR_EVENT_ARG_SEEN) return;
  const std::string name(event.cgroup_name, strnlen(event.cgroup_name, sizeof(event.cgroup_name)));
  record_of(event.set_cgroup_id, event.set_cgroup_id == event.cgroup_id ? name : "")
      .session->on_event(event);
}

void ContainerBook::on_sets(const std::map<SetKey, SyscallCounts>& sets) {
  std::map<uint64_t, std::map<SetKey, SyscallCounts>> by_cgroup;
  for (const auto& [key, counts] : sets) by_cgroup[key.cgroup_id].emplace(key, counts);
  for (const auto& [cgroup_id, own] : by_cgroup) {
    ContainerRecord& record = record_of(cgroup_id, "");
    if (record.state == ContainerRecord::State::ignored) continue;
    common::RecordingInfo info;
    info.target_kind = "container";
    info.cgroup_path = record.path;
    record.snapshot = record.session->build(own, std::move(info));
  }
}

}  // namespace tailor::agent
