#pragma once

#include <tailor/bpf/abi.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/model/syscall.h"
#include "common/util/result.h"

struct recorder;  // bpftool-generated skeleton
struct ring_buffer;
struct bpf_link;

// The recorder library's entry point (tailor_recorder; docs/architecture.md, "The recorder
// library"): load and attach, configure what is tracked, read the sets, the events and the
// counters. session.h turns sets into reports; agent/cgroup/ resolves cgroups.
namespace tailor::agent {

using common::Result;
using common::Status;

// Native syscall number -> which argument to keep the values of (TAILOR_ARG_*).
using ArgSpecs = std::map<uint32_t, uint8_t>;
// The security-relevant arguments profiles can restrict: namespace flags of
// clone/clone3/unshare/setns, socket families, personality, prctl options,
// ioctl requests, bpf/ptrace/keyctl operations.
ArgSpecs default_arg_specs();

struct RecorderOptions {
  uint32_t max_tracked_cgroups = 1024;
  uint32_t max_syscall_sets = 1024;
  uint32_t max_arg_values = 16384;
  uint32_t ring_buffer_bytes = 256 * 1024;
  uint32_t max_denials = 4096;  // distinct (set, abi, syscall, action) denied
  // Copies of each set's counts, one per group of CPUs (tailor_count_stripe), so threads of one
  // container on different CPUs do not contend for a counter; each copy costs
  // max_syscall_sets * 4.5 KiB. 0: one per online CPU, at most 4; rounded up to a power of two.
  uint32_t count_stripes = 0;
  // Attach the hooks that see seccomp denials (bpf/denials.bpf.h); off only to measure them.
  bool watch_denials = true;
  ArgSpecs arg_specs = default_arg_specs();
  // A bpffs directory (e.g. /sys/fs/bpf/tailor): maps and the program's link
  // are pinned there, so recording goes on while no process holds them and a
  // new recorder picks up where the last one stopped. Empty: nothing pinned.
  std::string pin_dir;
};

// The kernel's key of a set: one cgroup, one ABI class, one phase (tailor_set_key).
struct SetKey {
  uint64_t cgroup_id = 0;
  uint32_t abi = TAILOR_ABI_NATIVE;
  uint32_t phase = TAILOR_PHASE_WORKLOAD;
  auto operator<=>(const SetKey&) const = default;
};

// What one cgroup did through one ABI, as read from the kernel.
struct SyscallCounts {
  std::map<uint32_t, uint64_t> calls;            // syscall number -> calls (only numbers seen)
  std::map<uint32_t, common::RecordedArg> args;  // syscall number -> its recorded argument
  std::set<uint32_t> args_overflow;              // syscalls whose values are incomplete
};

// Calls a seccomp filter denied in one set, as counted in the kernel.
struct Denial {
  uint64_t cgroup_id = 0;  // the set's cgroup, as in SetKey
  uint32_t abi = TAILOR_ABI_NATIVE;
  uint32_t nr = 0;
  uint32_t action = TAILOR_DENIAL_KILL_PROCESS;  // enum tailor_denial_action
  uint64_t calls = 0;
};

// Owns the loaded and attached BPF recorder. Not thread-safe: one owner drives
// tracking, event polling and map reads.
class Recorder {
 public:
  using EventHandler = std::function<void(const tailor_event&)>;

  // Lifecycle and attach.
  // Checks the ABI version of the object, sizes the maps, loads, attaches.
  // Failures come back as one actionable line (not root, no BTF, old kernel...).
  static Result<std::unique_ptr<Recorder>> open(const RecorderOptions& options);
  // Removes what open() pinned in `pin_dir`: recording stops when the last
  // holder goes away.
  static Status unpin(const std::string& pin_dir);
  // True when open() found pinned state and carried on with it.
  bool resumed() const { return resumed_; }
  // Where open() mounted a bpf filesystem because none held the pin directory, or "".
  const std::string& mounted_bpffs() const { return mounted_bpffs_; }
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Tracking config: AGGREGATE counts a cgroup and its descendants in its own sets, SPLIT
  // gives each descendant sets of its own, IGNORE excludes a subtree below a tracked one.
  Status track(uint64_t cgroup_id, tailor_track_mode mode);
  Status untrack(uint64_t cgroup_id);

  // Events. Delivers pending first-seen events to `handler`; waits up to timeout_ms for
  // the first one. Returns the number delivered.
  Result<int> poll_events(int timeout_ms, const EventHandler& handler);
  // Readable when events are pending, for callers that wait on other fds too;
  // then consume_events delivers them without waiting.
  int event_fd() const;
  Result<int> consume_events(const EventHandler& handler);

  // Reading sets. Every set the recorder holds.
  Result<std::map<SetKey, SyscallCounts>> read_sets() const;
  // Sets of one tracked cgroup (all its ABIs).
  Result<std::map<SetKey, SyscallCounts>> read_sets_of(uint64_t cgroup_id) const;
  // Releases a set: its slot goes back to the free queue for another cgroup.
  Status forget_set(const SetKey& key);
  // Every set of one cgroup (all its ABIs and phases).
  Status forget_sets_of(uint64_t cgroup_id);

  // Denials of every set, or of one tracked cgroup's; sorted by (cgroup, abi, nr, action).
  Result<std::vector<Denial>> read_denials() const;
  Result<std::vector<Denial>> read_denials_of(uint64_t cgroup_id) const;
  // Releases a cgroup's denials, as forget_set releases its sets.
  Status forget_denials(uint64_t cgroup_id);
  // Attaches (true) or detaches the hook that sees calls a filter denied with ERRNO
  // (bpf/errno_denials.bpf.h). It runs at every syscall's exit on the node, so it is on only
  // while a tracked workload runs under a filter. Never pinned: an owner decides again after
  // a restart. Idempotent.
  Status watch_errno_denials(bool on);
  bool watching_errno_denials() const;

  // Stats. The kernel side's counters, summed over CPUs, by their names in
  // common/report/recorder_stats.h. Node-wide running totals, kept across restarts when pinned.
  std::map<std::string, uint64_t> stats() const;

  // Time the kernel accounted to the program; zero unless BPF run-time stats
  // are on (sysctl kernel.bpf_stats_enabled, or an fd from bpf_enable_stats).
  struct ProgramStats {
    uint64_t run_time_ns = 0;
    uint64_t run_count = 0;
  };
  ProgramStats program_stats() const;

 private:
  Recorder() = default;
  void bump_generation();
  // Calls counted in the cache pages' cells, by (slot << 16 | syscall): one pass over all.
  using CellCounts = std::unordered_map<uint64_t, uint64_t>;
  CellCounts cell_counts() const;
  SyscallCounts counts_at(uint32_t slot, const CellCounts& cells) const;
  void free_cells(uint32_t slot);
  // Adds the argument values of the given slots (slot -> where they go).
  Status read_arg_values(std::map<uint32_t, SyscallCounts*>& by_slot) const;
  void forget_arg_values(uint32_t slot);

  struct recorder* skel_ = nullptr;
  struct ring_buffer* ring_ = nullptr;
  const EventHandler* active_handler_ = nullptr;
  std::vector<struct bpf_link*> pinned_links_;  // a previous recorder's links, kept
  bool resumed_ = false;
  std::string mounted_bpffs_;
  tailor_syscall_set* sets_ = nullptr;  // mmap of the syscall_sets array
  uint32_t set_count_ = 0;
  size_t sets_bytes_ = 0;
  tailor_count_stripe* stripes_ = nullptr;  // mmap of count_stripes: stripe_mask_ per set
  uint32_t stripe_mask_ = 0;
  size_t stripes_bytes_ = 0;
};

}  // namespace tailor::agent
