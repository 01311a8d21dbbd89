#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/recorder.h"
#include "agent/recorder/session.h"
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
  std::chrono::steady_clock::time_point first_seen;
  std::unique_ptr<RecordingSession> session;  // first callers and times, from events
  common::Report snapshot;                    // what its sets held when last read
  // Its cgroup no longer exists: one more read, then the agent folds its snapshot into the
  // workload's finished containers and drops the record.
  bool gone = false;
};

// The container cgroups of the node by cgroup id: fed with first-seen events
// (which name a cgroup even after it is gone) and with the sets read from the
// recorder.
class ContainerBook {
 public:
  ContainerBook(const Cgroup2& cgroups, uint64_t start_ns)
      : cgroups_(cgroups), start_ns_(start_ns) {}

  void on_event(const tailor_event& event);
  // Takes a snapshot of each container's sets; learns containers that had
  // sets but no event (the event was dropped, or recorded before a restart).
  void on_sets(const std::map<SetKey, SyscallCounts>& sets);

  std::map<uint64_t, ContainerRecord>& records() { return records_; }

 private:
  ContainerRecord& record_of(uint64_t cgroup_id, const std::string& name);

  const Cgroup2& cgroups_;
  uint64_t start_ns_;
  std::map<uint64_t, ContainerRecord> records_;
};

}  // namespace tailor::agent
