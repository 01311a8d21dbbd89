#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/wire/delta.h"

namespace tailor::bench {

// The simulated cluster of bench/aggregator_load.cpp (and the micro benches of its ingest
// path): N nodes with C containers each, the containers replicas of W workloads of 60
// syscalls each. docs/benchmarks.md describes the shape.
struct Shape {
  int nodes = 5000;
  int containers_per_node = 50;
  int workloads = 5000;
};

inline constexpr int kSyscallsPerWorkload = 60;
inline constexpr int kSyscallsPerReport = 3;  // later reports: a few with grown counts
inline constexpr uint32_t kSocket = 41;       // carries argument values (family)

// How much a workload's profile still grows after its containers' first reports.
struct Growth {
  // Syscalls in a container's first report; the rest of its set are discovered later, by
  // the reports that happen to pick them.
  int first_report_syscalls = kSyscallsPerWorkload;
  // A report that carries socket carries, one time in this many, a value of its first
  // argument drawn from 40, so profiles keep growing until each workload has seen all 40;
  // 0: only the first report carries one.
  int value_one_in = 0;
};
// Every container's first report has its whole set: a converged cluster, where only new
// behaviour changes a profile.
inline constexpr Growth kConverged{};
// First reports have 40 of 60 syscalls and one socket report in 10 a new value: 5,000
// profiles converging at once, thousands of discoveries a second.
inline constexpr Growth kConverging{.first_report_syscalls = 40, .value_one_in = 10};

struct SimulatedNode {
  std::string name;
  std::string agent_id;
};

class LoadShape {
 public:
  explicit LoadShape(const Shape& shape);

  const Shape& shape() const { return shape_; }
  SimulatedNode node(int index) const;
  common::WorkloadKey key(int workload) const;
  int workload_of(int node, int container) const;
  // Syscalls no workload's set has: injected ones are new to any profile.
  const std::vector<std::pair<uint32_t, std::string>>& injectable() const { return injectable_; }

  // Node `index`'s batch `seq`: its containers' first reports for seq 1, else a few syscalls
  // per report with grown counts.
  common::Delta batch(int index, uint64_t seq, const Growth& growth) const;
  // The same batch as encode_delta writes it, byte for byte, from fragments encoded once:
  // encode_delta (nlohmann::json) took 411 us a steady batch, so a load generator using it
  // could not offer 100,000 reports/s from one core.
  std::string encoded_batch(int index, uint64_t seq, const Growth& growth) const;

 private:
  // One syscall of a report: its index in the workload's set, and the argument value it
  // carries (socket only; 0: the argument without a value).
  struct Pick {
    std::size_t index = 0;
    uint64_t value = 0;
  };
  // What node `index`'s batch `seq` reports for each of its containers, in order.
  std::vector<std::vector<Pick>> picks(int index, uint64_t seq, const Growth& growth) const;
  std::string pod_uid(int index, int container) const;

  Shape shape_;
  std::vector<std::pair<uint32_t, std::string>> background_;
  std::vector<std::pair<uint32_t, std::string>> injectable_;
  std::vector<std::vector<std::pair<uint32_t, std::string>>> sets_;
  // encoded_batch's fragments: a report's opening up to its pods, per workload; a syscall's
  // opening up to its count, per workload and set index.
  std::vector<std::string> report_heads_;
  std::vector<std::vector<std::string>> syscall_heads_;
};

}  // namespace tailor::bench
