#include "bench/load_shape.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "common/syscalls/names.h"

namespace tailor::bench {

LoadShape::LoadShape(const Shape& shape) : shape_(shape) {
  for (uint32_t nr = 0; nr < 460; ++nr) {
    auto name = common::syscall_name("x86_64", nr);
    if (!name || !*name) continue;
    // Workloads draw from the first 300; injections from the rest, which no report has.
    (nr < 300 ? background_ : injectable_).push_back({nr, **name});
  }
  for (int w = 0; w < shape.workloads; ++w) {
    std::mt19937 random(w);
    std::vector<std::pair<uint32_t, std::string>> pool = background_;
    std::shuffle(pool.begin(), pool.end(), random);
    pool.resize(kSyscallsPerWorkload);
    if (std::none_of(pool.begin(), pool.end(), [](auto& s) { return s.first == kSocket; }))
      pool.back() = {kSocket, "socket"};
    sets_.push_back(std::move(pool));
  }
}

SimulatedNode LoadShape::node(int index) const {
  char id[40];
  std::snprintf(id, sizeof(id), "0d3c6f8e-5d1b-4c43-9a0e-%012x", index);
  return {"node-" + std::to_string(index), id};
}

common::WorkloadKey LoadShape::key(int workload) const {
  return {"bench-" + std::to_string(workload % 50), "Deployment", "app-" + std::to_string(workload),
          "main"};
}

int LoadShape::workload_of(int node, int container) const {
  return (node * shape_.containers_per_node + container) % shape_.workloads;
}

common::Delta LoadShape::batch(int index, uint64_t seq, const Growth& growth) const {
  const SimulatedNode sender = node(index);
  common::Delta delta;
  delta.node = sender.name;
  delta.agent = {sender.agent_id, 1714564800000};
  delta.seq = seq;
  std::mt19937 random(static_cast<uint32_t>(index * 7919 + seq));
  for (int c = 0; c < shape_.containers_per_node; ++c) {
    const int w = workload_of(index, c);
    const auto& set = sets_[w];
    common::WorkloadDelta report;
    report.key = key(w);
    std::vector<std::size_t> picked;
    if (seq == 1) {
      char uid[40];
      std::snprintf(uid, sizeof(uid), "%08x-0000-4000-8000-%012x", index, c);
      report.pods.push_back(uid);
      for (int i = 0; i < growth.first_report_syscalls; ++i) picked.push_back((i + c) % set.size());
    } else {
      for (int i = 0; i < kSyscallsPerReport; ++i) picked.push_back(random() % set.size());
    }
    std::sort(picked.begin(), picked.end());
    picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
    for (std::size_t i : picked) {
      common::DeltaSyscall syscall{
          "x86_64",     set[i].first,          set[i].second, common::Phase::workload,
          seq * 10 + i, 1714564800100 + index, std::nullopt};
      syscall.pods = 1;
      // As an agent sends it: the argument always, its values when new (an entry without the
      // argument would make the merged one incomplete).
      if (set[i].first == kSocket) {
        syscall.arg = common::RecordedArg{.index = 0};
        if (seq == 1 || (growth.value_one_in > 0 && random() % growth.value_one_in == 0))
          syscall.arg->values[1 + random() % 40] = seq;
      }
      report.syscalls.push_back(std::move(syscall));
    }
    delta.workloads.push_back(std::move(report));
  }
  return delta;
}

}  // namespace tailor::bench
