#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/cgroup/cgroup2.h"
#include "agent/k8s/pod_info.h"
#include "agent/node/retired_containers.h"
#include "agent/recorder/recorder.h"
#include "agent/recorder/session.h"
#include "agent/report/delta_tracker.h"
#include "common/report/report.h"
#include "common/wire/workload_key.h"

namespace tailor::agent {

// What the agent knows of one container cgroup the recorder gave a set of its own.
struct ContainerRecord {
  enum class State {
    pending,    // its pod is not known yet: held, not reported
    recording,  // attributed to a workload
    ignored,    // sandbox, not selected, not a kubelet cgroup: untracked and released
  };
  State state = State::pending;
  std::string path;          // cgroup path, or its own name when it was gone before we looked
  std::string container_id;  // from the path or the name; empty: not a container cgroup
  std::string pod_uid;       // from the path; empty until known
  std::optional<common::WorkloadKey> workload;
  SeccompProfileRef seccomp;  // its pod's securityContext for it, once attributed
  // A process of it was seen in seccomp filter mode. It stays so: a filter cannot be removed,
  // and the runtime installs it in every process it starts there.
  bool filtered = false;
  std::chrono::steady_clock::time_point first_seen;
  std::unique_ptr<RecordingSession> session;  // first callers and times, from events
  common::Report snapshot;                    // what its sets held when last read
  // Its cgroup no longer exists: one more read, then the agent folds its snapshot into the
  // workload's finished containers and drops the record.
  bool gone = false;
};

// What release_finished() let go of, for the recorder to let go of too.
struct Released {
  std::vector<uint64_t> retired;    // finished containers: their sets go back to the recorder
  std::vector<uint64_t> untracked;  // ignored cgroups now gone: the recorder forgets them
};

// The container cgroups of the node by cgroup id: fed with first-seen events (which name a
// cgroup even after it is gone) and with the sets read from the recorder; keeps what finished
// containers recorded, folded per workload, for as long as the agent runs.
class ContainerBook {
 public:
  ContainerBook(const Cgroup2& cgroups, uint64_t start_ns)
      : cgroups_(cgroups), start_ns_(start_ns) {}

  void on_event(const tailor_event& event);
  // Takes a snapshot of each container's sets and denials (`errno_watched`: the ERRNO hook is
  // attached); learns containers that had sets but no event (the event was dropped, or
  // recorded before a restart).
  void on_sets(const std::map<SetKey, SyscallCounts>& sets, const std::vector<Denial>& denials = {},
               bool errno_watched = false);
  // Reads the seccomp mode of the recorded containers not yet seen filtered. Returns how many
  // had processes none of which this /proc shows.
  size_t read_seccomp_modes();
  // Recorded containers running now whose processes are in seccomp filter mode, and of those
  // the ones whose pod asks for a Localhost profile (enforced).
  size_t filtered() const;
  size_t enforced() const;

  std::map<uint64_t, ContainerRecord>& records() { return records_; }
  // Containers attributed to a workload whose cgroup still exists.
  size_t recording() const;

  // Per workload: its live containers' snapshots and its finished containers, merged, and how
  // its live containers run (enforcement).
  CumulativeState cumulative_state() const;

  // A container cgroup found gone is read once more in the next round, so its last calls are
  // in its snapshot; then it is folded into its workload's finished containers. Ignored
  // cgroups that are gone are forgotten. Pending ones wait for their pod.
  Released release_finished();

 private:
  ContainerRecord& record_of(uint64_t cgroup_id, const std::string& name);
  size_t count(bool (*counted)(const ContainerRecord&)) const;

  const Cgroup2& cgroups_;
  uint64_t start_ns_;
  std::map<uint64_t, ContainerRecord> records_;
  std::map<common::WorkloadKey, RetiredContainers> retired_;
};

}  // namespace tailor::agent
