#pragma once

#include <boost/container/flat_map.hpp>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "aggregator/store/interned.h"
#include "aggregator/store/out_of_line.h"
#include "aggregator/store/pod_uids.h"
#include "common/report/report.h"
#include "common/wire/delta.h"

namespace tailor::aggregator {

using common::SyscallId;

// One agent run's figures for one syscall, cumulative over the run (docs/wire-format.md), in
// 8 bytes: there is one per workload, syscall and run (15 million at 5,000 workloads of 60
// syscalls on 50 nodes), most of the aggregator's memory. Calls saturate at kMaxCalls (four
// years of a million calls a second) and pods at kMaxPods (a node holds a few hundred pods at
// once): past those a run's figure stays at its bound, a lower bound of the truth.
class RunTally {
 public:
  static constexpr uint64_t kMaxCalls = (uint64_t{1} << 47) - 1;
  static constexpr uint32_t kMaxPods = 0xffff;

  // Whether the run made the call: a run that did not has no figures, not zero ones.
  bool present() const { return bits_ != 0; }
  uint64_t calls() const { return bits_ & kMaxCalls; }
  uint32_t pods() const { return static_cast<uint32_t>((bits_ >> 47) & kMaxPods); }
  // Joins a report of the run: each figure at its largest (a report replayed late or twice
  // changes nothing). True when the run is new here or its pods grew: coverage news.
  bool join(uint64_t calls, uint64_t pods);

  bool operator==(const RunTally&) const = default;

 private:
  static constexpr uint64_t kPresent = uint64_t{1} << 63;
  uint64_t bits_ = 0;
};

// What every replica on every node made of one syscall. Each field is a join-semilattice
// (sets unioned, minimum, maximum, AND: the model's merge with common::Combine::max), so
// merging is commutative, associative and idempotent and agents' at-least-once delivery
// cannot change the result. The figures across agent runs are sums of their maxima.
struct MergedSyscall {
  // Calls per argument value of one agent run, cumulative like its calls.
  struct RunValues {
    uint32_t agent = 0;  // interned run id
    std::map<uint64_t, uint64_t> calls;
    bool operator==(const RunValues&) const = default;
  };
  // What most syscalls never hold (only those whose argument is recorded, or of agent runs
  // that ended): kept out of line, so the 300,000 syscalls of 5,000 workloads do not each
  // carry its 136 bytes.
  struct Rare {
    // What agent runs that ended left (MergeStore folds them here, docs/aggregator.md): a
    // maximum, like each run's tally, so merging stays idempotent; and their nodes.
    uint64_t settled_calls = 0;
    uint64_t settled_pods = 0;
    NameSet settled_nodes;
    // Sorted by agent; empty for syscalls whose argument is not recorded.
    std::vector<RunValues> values_by_agent;
    // The recorded argument: every value any run reported, with the calls of the settled runs
    // (a maximum, like settled_calls); complete only when every run's list is. Absent when no
    // run recorded it.
    std::optional<common::RecordedArg> arg;
    bool operator==(const Rare&) const = default;
  };

  std::string name;                // libseccomp's name; empty when it knows none
  int64_t first_seen_unix_ms = 0;  // earliest; 0 unknown
  // One per run of the workload (MergedWorkload::runs, same order). Calls and pods are the
  // largest each run reported, and the syscall's figures are their sums. An agent runs on one
  // node and a pod lives on one node, so summing pods over runs counts a pod once (an agent
  // restart aside).
  std::vector<RunTally> by_run;
  OutOfLine<Rare> rare;

  uint64_t count() const;
  uint64_t pods() const;
  // `arg` with each value's calls summed over the settled and the live runs.
  std::optional<common::RecordedArg> arg_calls() const;
  // The nodes whose agents made the call: those of its runs (`runs`, its workload's) and of
  // the settled ones.
  NameSet nodes(const std::vector<uint32_t>& runs) const;
  bool operator==(const MergedSyscall&) const = default;
};

// A workload's pod uids are kept up to this many: the ones of smallest hash (a k-minimum-values
// sketch; the smallest k of a union is itself a join, so merging stays a semilattice). Pods
// come and go with every rollout and Job; without a bound a workload's uids would grow for as
// long as the aggregator runs. Past it, pods_seen() is estimated from the sketch.
inline constexpr std::size_t kMaxPodUids = 1000;

// The merged state of one workload container.
struct MergedWorkload {
  // The live agent runs (intern_run ids, sorted) that made any of its syscalls: the columns of
  // every syscall's by_run. A run is stored once per workload, not once per syscall.
  std::vector<uint32_t> runs;
  // Sorted in one block, not a tree: a map node's header and allocation were a third of a
  // syscall's size, and a workload's few dozen syscalls are found faster by a binary search
  // over one block than by a walk over scattered nodes. A syscall is added seldom (discovery).
  boost::container::flat_map<SyscallId, MergedSyscall> syscalls;
  PodUids pods;  // at most kMaxPodUids (see above)
  NameSet nodes;
  // Counts a SeccompProfile's annotations held (written before a restart, or by another
  // replica that saw other agents), whose uids and names are not in it: joined by maximum,
  // so the figures never go back and stay lower bounds of the truth.
  uint64_t pods_seen_at_least = 0;
  uint64_t nodes_seen_at_least = 0;

  // Distinct pods: exact up to kMaxPodUids, then estimated within a few percent
  // ((k - 1) / the k-th smallest hash as a fraction of the hash range; error about 1/sqrt(k)).
  uint64_t pods_seen() const;
  uint64_t nodes_seen() const;
  // Folds the tallies of the `ended` runs into every syscall's settled sums and drops their
  // columns (MergeStore, when agent runs end).
  void settle(const std::unordered_set<uint32_t>& ended);
  bool operator==(const MergedWorkload&) const = default;
};

// What a merge changed. `profile` is what a SeccompProfile is made of (a syscall or an
// argument value more, an argument list turning incomplete); `coverage` is the rest.
struct MergeGrowth {
  bool profile = false;
  bool coverage = false;
};

// The workload state one delta entry from `node` stands for; `run` is intern_run(node, the
// agent run id), interned once per batch by the caller.
MergedWorkload from_delta(const std::string& node, uint32_t run,
                          const common::WorkloadDelta& delta);

// Joins `from` into `into`.
MergeGrowth merge_into(MergedWorkload& into, const MergedWorkload& from);

// merge_into(into, from_delta(node, run, delta)) without building the delta's state: the
// ingest path, once per report. `node` is intern(node). A `settled` run's tallies are in the
// settled sums already (MergeStore), so it adds its node, syscalls and values, no counts.
MergeGrowth merge_delta(MergedWorkload& into, uint32_t node, uint32_t run,
                        const common::WorkloadDelta& delta, bool settled = false);

}  // namespace tailor::aggregator
