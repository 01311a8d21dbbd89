/* Calls a seccomp filter denied with ERRNO. The filter runs before sys_enter
 * and skips the call, but sys_exit still fires for it, with the original
 * number in the registers and the filter's -errno as the return value. The
 * recorder puts every call it sees at sys_enter in the set before the call
 * runs, so a failed call whose number is not in its set never reached
 * sys_enter: the filter refused it (docs/decisions/0009-errno-denials-at-sys-exit.md).
 *
 * Unlike the hooks of denials.bpf.h this one runs at every syscall's exit,
 * node-wide, so user space attaches it only while it watches a filtered
 * workload (Recorder::watch_errno_denials), and the cheapest tests come first.
 *
 * Included by recorder.bpf.c after current_set. */
#pragma once

// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <tailor/bpf/abi.h>

#include "denials.bpf.h"
#include "maps.bpf.h"
#include "runtime_marks.bpf.h"

#define TAILOR_SECCOMP_MODE_FILTER 2
#define TAILOR_MAX_ERRNO 4095

/* The set of (abi, phase) next to `native` if one exists: unlike other_set,
 * never takes a slot, since a set nobody filled holds no call. */
static __always_inline struct tailor_syscall_set* existing_set(struct tailor_syscall_set* native,
                                                               __u32 abi, __u32 phase,
                                                               __u32* index) {
  struct tailor_set_key key = {.cgroup_id = native->cgroup_id, .abi = abi, .phase = phase};
  __u32* slot = bpf_map_lookup_elem(&set_slots, &key);
  if (!slot) return 0;
  *index = *slot;
  return bpf_map_lookup_elem(&syscall_sets, index);
}

/* Whether the set in `slot` counted call `n` at sys_enter. Its `seen` bit says
 * so, except in the moment between another CPU counting a counter's first such
 * call and setting that bit (count_call): then a counter does, in the set's
 * stripes or in a cell of the caller's cache page, for whichever CPU the call
 * entered on. */
static __always_inline int counted(struct tailor_cache_page* page, struct tailor_syscall_set* set,
                                   __u32 slot, __u32 n) {
  if ((set->seen[n / 64] & (1ULL << (n & 63))) || set->counts[n]) return 1;
  __u32 stripe_mask = page->stripe_mask;
  for (__u32 stripe = 0; stripe <= stripe_mask && stripe < TAILOR_MAX_COUNT_STRIPES; stripe++) {
    __u32 owner = TAILOR_CELL_OWNER(slot, stripe, n);
    struct tailor_count_cell* cells = cell_pair(page, owner, stripe);
    for (int way = 0; way < 2; way++)
      if (cells[way].owner == owner && cells[way].calls) return 1;
    if (stripe == 0) continue;
    struct tailor_count_stripe* counts = count_stripe(slot, stripe_mask, stripe);
    if (counts && counts->counts[n]) return 1;
  }
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tailor_sys_exit, struct pt_regs* regs, long ret) {
  if (ret >= 0 || ret < -TAILOR_MAX_ERRNO) return 0;
  struct task_struct* task = bpf_get_current_task_btf();
  if (task->seccomp.mode != TAILOR_SECCOMP_MODE_FILTER) return 0;
  struct css_set* cset = task->cgroups;
  struct cgroup* cgrp = cset->dfl_cgrp;
  __u32 index;
  int arrival;
  struct tailor_cache_page* page;
  struct tailor_syscall_set* set = current_set(task, cset, cgrp, &index, &arrival, &page);
  if (!set) return 0;
  long nr = syscall_nr_of(regs);
  __u32 abi = syscall_abi(task, &nr);
  if (nr < 0 || nr >= TAILOR_MAX_SYSCALLS) return 0;
  __u32 n = (__u32)nr;
  /* As call_phase: a runtime process under a filter records in its own set. */
  __u32 phase = runtime_mark_of(task) ? TAILOR_PHASE_RUNTIME_FILTERED : TAILOR_PHASE_WORKLOAD;
  if (abi != TAILOR_ABI_NATIVE || phase != TAILOR_PHASE_WORKLOAD)
    set = existing_set(set, abi, phase, &index);
  if (set && counted(page, set, index, n)) return 0;
  count_denial(nr, abi, TAILOR_DENIAL_ERRNO);
  return 0;
}
