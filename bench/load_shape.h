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
inline constexpr int kFirstReportSyscalls = 40;  // a container's first report: most of its set
inline constexpr int kSyscallsPerReport = 3;     // later reports: a few with grown counts
inline constexpr uint32_t kSocket = 41;          // carries argument values (family)

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
  // per report with grown counts. A report that carries socket carries, one time in
  // `value_one_in`, a value of its first argument drawn from 40, so profiles keep growing
  // until each workload has seen all 40; 0: never.
  common::Delta batch(int index, uint64_t seq, int value_one_in) const;

 private:
  Shape shape_;
  std::vector<std::pair<uint32_t, std::string>> background_;
  std::vector<std::pair<uint32_t, std::string>> injectable_;
  std::vector<std::vector<std::pair<uint32_t, std::string>>> sets_;
};

}  // namespace tailor::bench
