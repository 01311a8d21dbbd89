/* Which set a cgroup's syscalls go to, cached in a direct-mapped table in
 * .bss keyed by the caller's css_set: the one pointer the task holds. The
 * cgroup the css_set names is loaded beside the entry, not before it, so a hit
 * is two dependent loads from the task (css_set, then entry) instead of four
 * (css_set, cgroup, its serial number, entry); on a kernel that switches page
 * tables at every syscall each one is a TLB miss (docs/decisions/0010). No
 * helper call, no hash-map lookup, so the processes Tailor does not track
 * (nearly all of a node) pay almost nothing.
 *
 * An address is reused once its object is freed, so an entry also names the
 * css_set's cgroup (mixed into its check word), and every cgroup's removal
 * bumps the generation (tailor_rmdir): a css_set can only be reused with a
 * different cgroup, and a cgroup's address only after its rmdir. A collision
 * or a torn entry only sends the caller down the slow path (the ancestor
 * walk), never to a wrong set. */
#pragma once

// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_tracing.h>
#include <tailor/bpf/abi.h>

struct tailor_cache_page tailor_resolve_cache[TAILOR_CACHE_PAGES]
    __attribute__((aligned(TAILOR_CACHE_PAGE_BYTES)));

/* A kernel object's address as a number: the verifier lets a program do
 * arithmetic on a pointer only as the difference of two (CAP_PERFMON). */
static __always_inline __u64 address_of(const void* object) {
  return (__u64)object - (__u64)tailor_resolve_cache;
}

static __always_inline __u64 cache_check(__u64 css_set, __u64 cgroup, __u64 slot,
                                         __u64 generation) {
  return css_set ^ (cgroup * TAILOR_CACHE_MIX) ^ (slot * TAILOR_CACHE_GOLDEN) ^ (generation << 32) ^
         TAILOR_CACHE_GOLDEN;
}

static __always_inline struct tailor_cache_page* cache_page(__u64 css_set) {
  return &tailor_resolve_cache[((css_set * TAILOR_CACHE_GOLDEN) >> (64 - TAILOR_CACHE_PAGE_BITS)) &
                               (TAILOR_CACHE_PAGES - 1)];
}

static __always_inline struct tailor_cache_entry* cache_slot(struct tailor_cache_page* page,
                                                             __u64 css_set) {
  /* Multiply-shift rather than %: the verifier bounds it. The bits below the page's. */
  __u64 low = (__u32)((css_set * TAILOR_CACHE_GOLDEN) >> (32 - TAILOR_CACHE_PAGE_BITS));
  return &page->entries[(low * TAILOR_CACHE_PAGE_ENTRIES) >> 32];
}

/* Returns 1 and the cached slot (index + 1, 0 for untracked) when the entry is current. */
static __always_inline int cache_get(struct tailor_cache_entry* entry, __u64 css_set, __u64 cgroup,
                                     __u64 generation, __u64* slot) {
  __u64 key = entry->css_set, set = entry->slot_plus_one, gen = entry->generation;
  if (key != css_set || gen != generation || entry->check != cache_check(key, cgroup, set, gen))
    return 0;
  *slot = set;
  return 1;
}

static __always_inline void cache_put(struct tailor_cache_entry* entry, __u64 css_set, __u64 cgroup,
                                      __u64 generation, __u64 slot) {
  entry->css_set = css_set;
  entry->slot_plus_one = slot;
  entry->generation = generation;
  entry->check = cache_check(css_set, cgroup, slot, generation);
}

/* Drops every entry: the next call of each cgroup resolves again. */
static __always_inline void cache_invalidate(void) {
  for (int i = 0; i < TAILOR_CACHE_PAGES; i++)
    __sync_fetch_and_add(&tailor_resolve_cache[i].generation, 1);
}

/* A removed cgroup's address (and its css_sets') can be reused by the next
 * cgroup: no entry may outlive it. Every cgroup's, tracked or not, since an
 * untracked verdict reused by a tracked cgroup would lose its calls. */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(tailor_rmdir, struct cgroup* cgrp, const char* path) {
  cache_invalidate();
  return 0;
}
