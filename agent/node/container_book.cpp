#include "agent/node/container_book.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "agent/cgroup/container_lookup.h"
#include "agent/cgroup/kubelet_path.h"
#include "agent/cgroup/seccomp_mode.h"
#include "common/report/merge.h"

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
  if (event.kind != TAILOR_EVENT_FIRST_SEEN && event.kind != TAILOR_EVENT_ARG_SEEN &&
      event.kind != TAILOR_EVENT_DENIED)
    return;
  const std::string name(event.cgroup_name, strnlen(event.cgroup_name, sizeof(event.cgroup_name)));
  record_of(event.set_cgroup_id, event.set_cgroup_id == event.cgroup_id ? name : "")
      .session->on_event(event);
}

void ContainerBook::on_sets(const std::map<SetKey, SyscallCounts>& sets,
                            const std::vector<Denial>& denials, bool errno_watched) {
  std::map<uint64_t, std::map<SetKey, SyscallCounts>> by_cgroup;
  for (const auto& [key, counts] : sets) by_cgroup[key.cgroup_id].emplace(key, counts);
  std::map<uint64_t, std::vector<Denial>> denials_by_cgroup;
  for (const auto& denial : denials) denials_by_cgroup[denial.cgroup_id].push_back(denial);
  static const std::vector<Denial> kNone;
  for (const auto& [cgroup_id, own] : by_cgroup) {
    ContainerRecord& record = record_of(cgroup_id, "");
    if (record.state == ContainerRecord::State::ignored) continue;
    common::RecordingInfo info;
    info.target_kind = "container";
    info.cgroup_path = record.path;
    record.snapshot = record.session->build(own, std::move(info));
    const auto denied = denials_by_cgroup.find(cgroup_id);
    record.snapshot.denied = record.session->denials(
        denied == denials_by_cgroup.end() ? kNone : denied->second, errno_watched);
  }
}

namespace {

bool is_running(const ContainerRecord& record) {
  return record.state == ContainerRecord::State::recording && !record.gone;
}

bool is_enforced(const ContainerRecord& record) {
  return is_running(record) && record.filtered && record.seccomp.type == "Localhost";
}

// The runtime made calls in the container after it installed a filter there: the recorder
// saw them from a process in filter mode (the runtime-filtered phase). The kernel says so, so
// no /proc of the host's PID namespace is needed (the chart runs the agent without hostPID).
// Without a filter that phase holds only the entrypoint's exec (docs/runtimes.md); under one,
// runc and crun make other calls there too (close, at least).
bool runtime_installed_a_filter(const ContainerRecord& record) {
  return std::any_of(record.snapshot.syscalls.begin(), record.snapshot.syscalls.end(),
                     [](const auto& entry) {
                       return entry.phase == common::Phase::runtime_filtered &&
                              entry.name != "execve" && entry.name != "execveat";
                     });
}

}  // namespace

size_t ContainerBook::read_seccomp_modes() {
  size_t unreadable = 0;
  for (auto& [id, record] : records_) {
    if (!is_running(record) || record.filtered) continue;
    if (runtime_installed_a_filter(record)) {
      record.filtered = true;
      continue;
    }
    const auto filtered = seccomp_filtered(cgroups_.absolute(record.path));
    unreadable += !filtered.has_value();
    record.filtered = filtered.value_or(false);
  }
  return unreadable;
}

size_t ContainerBook::count(bool (*counted)(const ContainerRecord&)) const {
  return static_cast<size_t>(std::count_if(
      records_.begin(), records_.end(), [&](const auto& entry) { return counted(entry.second); }));
}

size_t ContainerBook::recording() const { return count(is_running); }

size_t ContainerBook::filtered() const {
  return count([](const ContainerRecord& record) { return is_running(record) && record.filtered; });
}

size_t ContainerBook::enforced() const { return count(is_enforced); }

namespace {

// How a workload's running containers on this node run, one container at a time. During a
// rollout from one profile to another the pods of both run here: the profile of a filtered
// container is the one reported, as it is the one that can deny.
struct EnforcementTally {
  std::set<std::string> pods;
  std::set<std::string> pods_filtered;
  const ContainerRecord* shown = nullptr;

  void add(const ContainerRecord& record) {
    pods.insert(record.pod_uid);
    if (record.filtered) pods_filtered.insert(record.pod_uid);
    if (shown == nullptr || (record.filtered && !shown->filtered)) shown = &record;
  }

  common::DeltaEnforcement enforcement() const {
    common::DeltaEnforcement out;
    if (shown != nullptr) {
      out.localhost_profile = shown->seccomp.localhost_profile;
      out.profile_type = shown->seccomp.type;
    }
    out.pods = static_cast<uint32_t>(pods.size());
    out.pods_filtered = static_cast<uint32_t>(pods_filtered.size());
    return out;
  }
};

}  // namespace

CumulativeState ContainerBook::cumulative_state() const {
  std::map<common::WorkloadKey, std::vector<common::MergeInput>> inputs;
  std::map<common::WorkloadKey, std::map<common::SyscallId, std::set<std::string>>> live_pods;
  std::map<common::WorkloadKey, EnforcementTally> tallies;
  std::map<common::WorkloadKey, FirstDenials> first_denials;
  CumulativeState state;
  for (const auto& [key, retired] : retired_) {
    inputs[key].push_back({"finished containers", *retired.report()});
    live_pods[key];
    tallies[key];
    first_denials[key] = retired.first_denials();
  }
  for (const auto& [cgroup_id, record] : records_) {
    if (record.state != ContainerRecord::State::recording) continue;
    inputs[*record.workload].push_back({record.path, record.snapshot});
    state[*record.workload].pods.insert(record.pod_uid);
    auto& pods = live_pods[*record.workload];
    for (const auto& entry : record.snapshot.syscalls) pods[entry.id()].insert(record.pod_uid);
    note_first_denials(first_denials[*record.workload], record.pod_uid, record.snapshot);
    auto& tally = tallies[*record.workload];
    if (!record.gone) tally.add(record);
  }
  for (const auto& [key, tally] : tallies) state[key].enforcement = tally.enforcement();
  static const RetiredContainers kNoneRetired;
  for (const auto& [key, pods] : live_pods) {
    const auto found = retired_.find(key);
    const RetiredContainers& retired = found == retired_.end() ? kNoneRetired : found->second;
    state[key].pods_by_syscall = retired.pod_counts(pods);
    retired.add_pod_uids_to(state[key].pods);
  }
  for (auto& [key, reports] : inputs) {
    auto merged = common::merge_reports(reports);
    if (!merged) continue;
    state[key].syscalls = std::move(merged->syscalls);
    if (!merged->denied) continue;
    const FirstDenials& firsts = first_denials[key];
    for (auto& call : merged->denied->calls) {
      const auto first = firsts.find({call.arch, call.nr, call.action});
      std::string pod = first == firsts.end() ? "" : first->second.pod_uid;
      state[key].denied.push_back({std::move(call), std::move(pod)});
    }
  }
  return state;
}

Released ContainerBook::release_finished() {
  Released released;
  for (auto it = records_.begin(); it != records_.end();) {
    auto& [cgroup_id, record] = *it;
    const bool recording = record.state == ContainerRecord::State::recording;
    if (recording && record.gone) {
      retired_[*record.workload].add(record.pod_uid, record.snapshot);
      released.retired.push_back(cgroup_id);
      it = records_.erase(it);
      continue;
    }
    if (record.state != ContainerRecord::State::pending && !cgroups_.path_of_id(cgroup_id)) {
      if (!recording) {
        // Its ignore entry would otherwise fill the recorder's tracked-cgroup map over
        // months of pod churn.
        released.untracked.push_back(cgroup_id);
        it = records_.erase(it);
        continue;
      }
      record.gone = true;
    }
    ++it;
  }
  return released;
}

}  // namespace tailor::agent
