// The aggregator's per-batch work without the network, so a change to decoding or merging
// can be measured in seconds instead of a five-minute load run: decode a node's batch (the
// wire format), merge it into a store already holding 1,000 nodes x 50 containers, and the
// load generator's own encoding. Items are reports (one workload container's entry); the
// aggregator's target of 20,000 reports/s on one core is 50 us a report for everything,
// TLS and HTTP included. docs/benchmarks.md has figures.
//
//   build/bench/tailor_bench_ingest_micro
#include <benchmark/benchmark.h>

#include "aggregator/store/merge_store.h"
#include "bench/load_shape.h"
#include "common/wire/delta.h"

namespace {

using tailor::bench::LoadShape;

constexpr tailor::bench::Shape kShape{.nodes = 1000, .containers_per_node = 50, .workloads = 1000};
// First batches of 40 syscalls, some socket entries with an argument value.
constexpr tailor::bench::Growth kGrowth = tailor::bench::kConverging;

const LoadShape& load() {
  static const LoadShape shape(kShape);
  return shape;
}

std::vector<std::string> encoded_batches(uint64_t seq, int count) {
  std::vector<std::string> bodies;
  for (int node = 0; node < count; ++node)
    bodies.push_back(tailor::common::encode_delta(load().batch(node, seq, kGrowth)));
  return bodies;
}

void decode(benchmark::State& state, uint64_t seq) {
  const auto bodies = encoded_batches(seq, 64);
  std::size_t i = 0;
  for (auto _ : state) {
    auto delta = tailor::common::decode_delta(bodies[i++ % bodies.size()], {});
    if (!delta) state.SkipWithError(delta.error().message.c_str());
    benchmark::DoNotOptimize(delta);
  }
  state.SetItemsProcessed(state.iterations() * kShape.containers_per_node);
}

void BM_DecodeFirstBatch(benchmark::State& state) { decode(state, 1); }
void BM_DecodeSteadyBatch(benchmark::State& state) { decode(state, 2); }

void BM_EncodeSteadyBatch(benchmark::State& state) {
  const auto delta = load().batch(0, 2, kGrowth);
  for (auto _ : state) benchmark::DoNotOptimize(tailor::common::encode_delta(delta));
  state.SetItemsProcessed(state.iterations() * kShape.containers_per_node);
}

// What bench/aggregator_load sends: the same bytes from fragments encoded once.
void BM_EncodeSteadyBatchFromFragments(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(load().encoded_batch(0, 2, kGrowth));
  state.SetItemsProcessed(state.iterations() * kShape.containers_per_node);
}

void BM_ApplySteadyBatch(benchmark::State& state) {
  tailor::aggregator::MergeStore store;
  for (int node = 0; node < kShape.nodes; ++node) store.apply(load().batch(node, 1, kGrowth), 1);
  std::vector<tailor::common::Delta> batches;
  for (int node = 0; node < kShape.nodes; node += kShape.nodes / 64)
    batches.push_back(load().batch(node, 2, kGrowth));
  std::size_t i = 0;
  int64_t now = 2;
  for (auto _ : state) benchmark::DoNotOptimize(store.apply(batches[i++ % batches.size()], now++));
  state.SetItemsProcessed(state.iterations() * kShape.containers_per_node);
}

BENCHMARK(BM_DecodeFirstBatch);
BENCHMARK(BM_DecodeSteadyBatch);
BENCHMARK(BM_EncodeSteadyBatch);
BENCHMARK(BM_EncodeSteadyBatchFromFragments);
BENCHMARK(BM_ApplySteadyBatch);

}  // namespace

BENCHMARK_MAIN();
