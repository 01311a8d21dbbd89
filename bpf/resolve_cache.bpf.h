/* Which set a cgroup's syscalls go to, cached per cgroup in a direct-mapped
 * table in .bss, keyed by the cgroup's css serial number (one load from the
 * cgroup, where its id would take one more page). The hot path is a multiply,
 * a shift and loads from one page of the table: no helper call, no hash-map
 * lookup, so the processes Tailor does not track (nearly all of a node) pay
 * almost nothing. A collision or a torn entry only sends the caller down the
 * slow path (the ancestor walk), never to a wrong set. */
#pragma once

// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <tailor/bpf/abi.h>

#define TAILOR_GOLDEN_64 0x9E3779B97F4A7C15ULL

struct tailor_cache_page tailor_resolve_cache[TAILOR_CACHE_PAGES]
    __attribute__((aligned(TAILOR_CACHE_PAGE_BYTES)));

static __always_inline __u64 cache_check(__u64 serial, __u64 slot, __u64 generation) {
  return serial ^ (slot * TAILOR_GOLDEN_64) ^ (generation << 32) ^ TAILOR_GOLDEN_64;
}

static __always_inline struct tailor_cache_page* cache_page(__u64 serial) {
  return &tailor_resolve_cache[((serial * TAILOR_GOLDEN_64) >> 59) & (TAILOR_CACHE_PAGES - 1)];
}

static __always_inline struct tailor_cache_entry* cache_slot(struct tailor_cache_page* page,
                                                             __u64 serial) {
  /* Multiply-shift rather than %: the verifier bounds it. */
  __u64 low = (__u32)((serial * TAILOR_GOLDEN_64) >> 27);
  return &page->entries[(low * TAILOR_CACHE_PAGE_ENTRIES) >> 32];
}

/* Returns 1 and the cached slot (index + 1, 0 for untracked) when the entry is current. */
static __always_inline int cache_get(struct tailor_cache_entry* entry, __u64 serial,
                                     __u64 generation, __u64* slot) {
  __u64 key = entry->cgroup_serial, set = entry->slot_plus_one, gen = entry->generation;
  if (key != serial || gen != generation || entry->check != cache_check(key, set, gen)) return 0;
  *slot = set;
  return 1;
}

static __always_inline void cache_put(struct tailor_cache_entry* entry, __u64 serial,
                                      __u64 generation, __u64 slot) {
  entry->cgroup_serial = serial;
  entry->slot_plus_one = slot;
  entry->generation = generation;
  entry->check = cache_check(serial, slot, generation);
}
