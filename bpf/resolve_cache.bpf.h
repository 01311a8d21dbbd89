/* Which set a cgroup's syscalls go to, cached per cgroup id in a direct-mapped
 * table in .bss. The hot path is a multiply, a shift and four loads: no helper
 * call, no hash-map lookup, so the processes Tailor does not track (nearly all
 * of a node) pay almost nothing. A collision or a torn entry only sends the
 * caller down the slow path (the ancestor walk), never to a wrong set. */
#pragma once

// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <tailor/bpf/abi.h>

#define TAILOR_GOLDEN_64 0x9E3779B97F4A7C15ULL

/* Bumped by user space whenever `tracked` changes. Starts at 1 so the zeroed
 * table never matches. */
volatile __u64 tailor_generation SEC(".data") = 1;

struct tailor_cache_entry tailor_resolve_cache[TAILOR_CACHE_SLOTS];

static __always_inline __u64 cache_check(__u64 cgroup_id, __u64 slot, __u64 generation) {
  return cgroup_id ^ (slot * TAILOR_GOLDEN_64) ^ (generation << 32) ^ TAILOR_GOLDEN_64;
}

static __always_inline struct tailor_cache_entry* cache_slot(__u64 cgroup_id) {
  __u32 index = (__u32)((cgroup_id * TAILOR_GOLDEN_64) >> (64 - TAILOR_CACHE_SLOTS_LOG2));
  return &tailor_resolve_cache[index & (TAILOR_CACHE_SLOTS - 1)];
}

/* Returns 1 and the cached slot (index + 1, 0 for untracked) when the entry is current. */
static __always_inline int cache_get(struct tailor_cache_entry* entry, __u64 cgroup_id,
                                     __u64 generation, __u64* slot) {
  __u64 id = entry->cgroup_id, set = entry->slot_plus_one, gen = entry->generation;
  if (id != cgroup_id || gen != generation || entry->check != cache_check(id, set, gen)) return 0;
  *slot = set;
  return 1;
}

static __always_inline void cache_put(struct tailor_cache_entry* entry, __u64 cgroup_id,
                                      __u64 generation, __u64 slot) {
  entry->cgroup_id = cgroup_id;
  entry->slot_plus_one = slot;
  entry->generation = generation;
  entry->check = cache_check(cgroup_id, slot, generation);
}
