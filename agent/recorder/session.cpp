#include "agent/recorder/session.h"

#include <time.h>

#include <algorithm>
#include <cstring>

#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"

namespace tailor::agent {

// build() casts the kernel's phase of a set to the report's.
static_assert(static_cast<uint32_t>(common::Phase::workload) == TAILOR_PHASE_WORKLOAD);
static_assert(static_cast<uint32_t>(common::Phase::runtime_setup) == TAILOR_PHASE_RUNTIME_SETUP);
static_assert(static_cast<uint32_t>(common::Phase::runtime_filtered) ==
              TAILOR_PHASE_RUNTIME_FILTERED);
static_assert(TAILOR_PHASE_COUNT == 3, "a kernel phase the report has no Phase for");

std::string abi_arch(uint32_t abi) {
  auto arch = common::arch_for_abi(common::native_arch(), abi);
  return arch ? *arch : "abi-" + std::to_string(abi);
}

std::string syscall_label(uint32_t abi, uint32_t nr) {
  const std::string arch = abi_arch(abi);
  auto name = common::syscall_name(arch, nr);
  std::string label = name && *name ? **name : "#" + std::to_string(nr);
  return abi == TAILOR_ABI_NATIVE ? label : label + " (" + arch + ")";
}

std::optional<common::DenialAction> denial_action_of(uint32_t action) {
  switch (action) {
    case TAILOR_DENIAL_KILL_PROCESS:
      return common::DenialAction::kill_process;
    case TAILOR_DENIAL_KILL_THREAD:
      return common::DenialAction::kill_thread;
    case TAILOR_DENIAL_TRAP:
      return common::DenialAction::trap;
    case TAILOR_DENIAL_ERRNO:
      return common::DenialAction::errno_ret;
    default:
      return std::nullopt;
  }
}

uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

bool RecordingSession::on_event(const tailor_event& event) {
  if (event.set_cgroup_id != set_cgroup_id_) return false;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, FirstSeen>* book = nullptr;
  std::tuple<uint32_t, uint32_t, uint32_t> key;
  if (event.kind == TAILOR_EVENT_FIRST_SEEN) {
    book = &first_seen_;
    key = std::make_tuple(uint32_t{event.abi}, uint32_t{event.phase}, event.nr);
  } else if (event.kind == TAILOR_EVENT_DENIED) {
    book = &first_denied_;
    key = std::make_tuple(uint32_t{event.abi}, event.nr, static_cast<uint32_t>(event.action));
  } else {
    return false;
  }
  if (book->contains(key)) return false;
  FirstSeen seen;
  seen.timestamp_ns = event.timestamp_ns;
  seen.caller.pid = event.pid;
  seen.caller.tid = event.tid;
  seen.caller.comm.assign(event.comm, strnlen(event.comm, sizeof(event.comm)));
  book->emplace(key, std::move(seen));
  return true;
}

common::Denials RecordingSession::denials(const std::vector<Denial>& counted,
                                          bool errno_watched) const {
  common::Denials out;
  out.watched = common::watched_denial_actions(errno_watched);
  for (const auto& denial : counted) {
    if (denial.cgroup_id != set_cgroup_id_) continue;
    const auto action = denial_action_of(denial.action);
    if (!action) continue;  // not in the report's format
    common::DeniedCall call;
    call.action = *action;
    call.arch = abi_arch(denial.abi);
    call.nr = denial.nr;
    if (auto name = common::syscall_name(call.arch, call.nr); name && *name) call.name = **name;
    call.count = denial.calls;
    if (auto it = first_denied_.find({denial.abi, denial.nr, denial.action});
        it != first_denied_.end()) {
      call.first_seen_ns =
          it->second.timestamp_ns > start_ns_ ? it->second.timestamp_ns - start_ns_ : 0;
      call.first_caller = it->second.caller;
    }
    out.calls.push_back(std::move(call));
  }
  common::sort_denied(out.calls);
  return out;
}

size_t RecordingSession::discovered_since(uint64_t since_ns) const {
  return static_cast<size_t>(
      std::count_if(first_seen_.begin(), first_seen_.end(),
                    [&](const auto& entry) { return entry.second.timestamp_ns >= since_ns; }));
}

common::SyscallId syscall_id(const SetKey& key, uint32_t nr) {
  return {abi_arch(key.abi), nr, static_cast<common::Phase>(key.phase)};
}

common::Report RecordingSession::build(const std::map<SetKey, SyscallCounts>& sets,
                                       common::RecordingInfo info) const {
  common::Report report;
  report.info = std::move(info);
  for (const auto& [key, counts] : sets) {
    if (key.cgroup_id != set_cgroup_id_) continue;
    for (const auto& [nr, calls] : counts.calls) {
      const common::SyscallId id = syscall_id(key, nr);
      common::SyscallEntry entry{.arch = id.arch, .nr = nr, .phase = id.phase, .count = calls};
      if (auto name = common::syscall_name(id.arch, nr); name && *name) entry.name = **name;
      if (auto arg = counts.args.find(nr); arg != counts.args.end()) entry.arg = arg->second;
      if (counts.args_overflow.contains(nr)) {
        if (!entry.arg) entry.arg.emplace();
        entry.arg->complete = false;
      }
      if (auto it = first_seen_.find({key.abi, key.phase, nr}); it != first_seen_.end()) {
        entry.first_seen_ns =
            it->second.timestamp_ns > start_ns_ ? it->second.timestamp_ns - start_ns_ : 0;
        entry.first_caller = it->second.caller;
      }
      report.syscalls.push_back(std::move(entry));
    }
  }
  std::sort(report.syscalls.begin(), report.syscalls.end(),
            [](const auto& a, const auto& b) { return a.id() < b.id(); });
  return report;
}

}  // namespace tailor::agent
