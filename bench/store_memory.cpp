// The aggregator's merged state alone: every node's first batch of the load shape
// (bench/load_shape.h) merged into a MergeStore in this process, then its resident memory.
// This is most of the aggregator's memory under load (docs/benchmarks.md), measured in
// seconds instead of a five-minute load run.
//
//   build/bench/tailor_bench_store_memory [nodes containers-per-node workloads]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "aggregator/store/merge_store.h"
#include "bench/load_shape.h"
#include "bench/process_figures.h"

int main(int argc, char** argv) {
  tailor::bench::Shape shape;
  if (argc > 1) shape.nodes = std::atoi(argv[1]);
  if (argc > 2) shape.containers_per_node = std::atoi(argv[2]);
  if (argc > 3) shape.workloads = std::atoi(argv[3]);
  if (shape.nodes < 1 || shape.containers_per_node < 1 || shape.workloads < 1) {
    std::fprintf(stderr, "usage: %s [nodes containers-per-node workloads]\n", argv[0]);
    return 1;
  }
  const tailor::bench::LoadShape load(shape);
  const auto before = tailor::bench::process_figures(getpid());
  tailor::aggregator::MergeStore store;
  const auto start = std::chrono::steady_clock::now();
  for (int node = 0; node < shape.nodes; ++node)
    store.apply(load.batch(node, 1, tailor::bench::kConverged), 1714564800000);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto after = tailor::bench::process_figures(getpid());
  const double mib = (after.rss_kib - before.rss_kib) / 1024.0;
  // Entries a store must keep: a tally per (workload, syscall, agent run).
  const double tallies =
      double(shape.nodes) * shape.containers_per_node * tailor::bench::kSyscallsPerWorkload;
  std::printf(
      "merge store: %d nodes x %d containers of %d workloads, %d syscalls each, first batches "
      "merged in %.1f s\n"
      "  resident memory of the store: %.1f MiB, %.0f bytes per (workload, syscall, node)\n"
      "reproduce: %s %d %d %d\n",
      shape.nodes, shape.containers_per_node, shape.workloads, tailor::bench::kSyscallsPerWorkload,
      seconds, mib, mib * 1024 * 1024 / tallies, argv[0], shape.nodes, shape.containers_per_node,
      shape.workloads);
  return 0;
}
