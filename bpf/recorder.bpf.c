/* Tailor's syscall recorder: one program on the raw sys_enter tracepoint that
 * aggregates, in the kernel, which syscalls each tracked cgroup makes. Nothing
 * leaves the kernel per syscall; the ring buffer carries one event per new
 * (cgroup, abi, syscall) and the rest is read from the maps.
 *
 * Hot path for a tracked process: cache hit in one page of .bss, which also says
 * the stripe and whether the call's arguments are recorded, and holds the counter
 * (one atomic add, whose old value says when to look at the set's `seen` bits);
 * one load for "is this a runtime process" (bpf/runtime_marks.bpf.h). For an
 * untracked one: the cache hit alone. Calls a seccomp filter denied are counted
 * apart, off the syscall path (bpf/denials.bpf.h).
 */
// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <tailor/bpf/abi.h>

#include "maps.bpf.h"
#include "resolve_cache.bpf.h"
#include "runtime_marks.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The loader compares this with its own TAILOR_ABI_VERSION before loading. */
const volatile __u32 tailor_abi_version = TAILOR_ABI_VERSION;

/* Which argument of each native syscall to keep the values of (TAILOR_ARG_*),
 * set by the loader from libseccomp's numbers. Read only for the syscalls the
 * cache page's `arg_syscalls` names, so that other calls leave .rodata alone. */
const volatile __u8 arg_specs[TAILOR_MAX_SYSCALLS] = {[0 ... TAILOR_MAX_SYSCALLS - 1] =
                                                          TAILOR_ARG_NONE};

static const struct tailor_syscall_set empty_set;
static const struct tailor_count_stripe empty_stripe;

#define X32_SYSCALL_BIT 0x40000000
#define X86_TS_COMPAT 0x0002
#define ARM64_TIF_32BIT 22

static __always_inline void count_stat(__u32 index) {
  __u64* value = bpf_map_lookup_elem(&stats, &index);
  if (value) *value += 1; /* per-CPU: no atomic needed */
}

/* Classifies the call by syscall table and strips the x32 marker bit. */
static __always_inline __u32 syscall_abi(struct task_struct* task, long* nr) {
#if defined(__TARGET_ARCH_x86)
  if (*nr & X32_SYSCALL_BIT) {
    *nr &= ~(long)X32_SYSCALL_BIT;
    return TAILOR_ABI_X32;
  }
  if (task->thread_info.status & X86_TS_COMPAT) return TAILOR_ABI_COMPAT;
#elif defined(__TARGET_ARCH_arm64)
  if (task->thread_info.flags & (1UL << ARM64_TIF_32BIT)) return TAILOR_ABI_COMPAT;
#endif
  return TAILOR_ABI_NATIVE;
}

#define SECCOMP_MODE_DISABLED 0

/* A runtime process (marked, or in a cgroup it is being moved into) that
 * already runs under a seccomp filter makes calls the profile must allow;
 * before that, its calls never meet the filter. */
static __always_inline __u32 call_phase(struct task_struct* task, __u32 abi, __u32 nr,
                                        int arriving) {
  struct tailor_runtime_mark* mark = runtime_mark_of(task);
  if (!mark && !arriving) return TAILOR_PHASE_WORKLOAD;
  if (mark && abi == TAILOR_ABI_NATIVE && is_exec(nr)) note_exec(task, mark, nr);
  return task->seccomp.mode != SECCOMP_MODE_DISABLED ? TAILOR_PHASE_RUNTIME_FILTERED
                                                     : TAILOR_PHASE_RUNTIME_SETUP;
}

/* The slot (index + 1) of a set, taking a free one at the set's first syscall.
 * 0 when none is free: counted, and the caller records nothing. */
static __noinline __u64 slot_for(__u64 cgroup_id, __u32 abi, __u32 phase) {
  struct tailor_set_key key = {.cgroup_id = cgroup_id, .abi = abi, .phase = phase};
  __u32* existing = bpf_map_lookup_elem(&set_slots, &key);
  if (existing) return (__u64)*existing + 1;

  __u32 slot;
  if (bpf_map_pop_elem(&free_slots, &slot) != 0) {
    count_stat(TAILOR_STAT_SETS_FULL);
    return 0;
  }
  /* Clear what a straggler may have written since user space released it. */
  bpf_map_update_elem(&syscall_sets, &slot, &empty_set, BPF_ANY);
  __u32 stripe_mask = tailor_resolve_cache[0].stripe_mask;
  for (__u32 stripe = 0; stripe < stripe_mask && stripe < TAILOR_MAX_COUNT_STRIPES - 1; stripe++) {
    __u32 at = slot * stripe_mask + stripe;
    bpf_map_update_elem(&count_stripes, &at, &empty_stripe, BPF_ANY);
  }
  struct tailor_syscall_set* set = bpf_map_lookup_elem(&syscall_sets, &slot);
  if (!set) return 0;
  set->cgroup_id = cgroup_id;
  set->abi = abi;
  set->phase = phase;
  if (bpf_map_update_elem(&set_slots, &key, &slot, BPF_NOEXIST) != 0) {
    /* Another CPU published this set first: give the slot back, use theirs. */
    set->cgroup_id = 0;
    bpf_map_push_elem(&free_slots, &slot, 0);
    existing = bpf_map_lookup_elem(&set_slots, &key);
    return existing ? (__u64)*existing + 1 : 0;
  }
  return (__u64)slot + 1;
}

/* Finds the nearest tracked ancestor (or the cgroup itself) and so the set the
 * cgroup's native calls go to: the slow path, once per cgroup and generation. */
static __noinline __u64 resolve(struct cgroup* cgrp, __u64 self_id) {
  int level = cgrp->level;
  count_stat(TAILOR_STAT_CACHE_MISSES);
  if (level >= TAILOR_MAX_CGROUP_DEPTH) {
    count_stat(TAILOR_STAT_DEPTH_EXCEEDED);
    level = TAILOR_MAX_CGROUP_DEPTH - 1;
  }
  for (int i = 0; i < TAILOR_MAX_CGROUP_DEPTH; i++) {
    int at = level - i;
    if (at < 0) break;
    __u64 id = bpf_get_current_ancestor_cgroup_id(at);
    struct tailor_track_cfg* cfg = bpf_map_lookup_elem(&tracked, &id);
    if (!cfg) continue;
    if (cfg->mode == TAILOR_TRACK_IGNORE) return 0;
    return slot_for(cfg->mode == TAILOR_TRACK_SPLIT ? self_id : id, TAILOR_ABI_NATIVE,
                    TAILOR_PHASE_WORKLOAD);
  }
  return 0;
}

/* `comm`: the caller's name when it is no longer current's (NULL: current's). */
static __always_inline void emit_event(__u64 cgroup_id, struct tailor_syscall_set* set, __u32 nr,
                                       __u8 kind, __u8 arg_index, __u64 arg_value,
                                       const char* comm) {
  struct tailor_event* event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
  if (!event) {
    count_stat(TAILOR_STAT_EVENTS_DROPPED);
    return;
  }
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  event->timestamp_ns = bpf_ktime_get_ns();
  event->cgroup_id = cgroup_id;
  event->set_cgroup_id = set->cgroup_id;
  event->pid = pid_tgid >> 32;
  event->tid = (__u32)pid_tgid;
  event->nr = nr;
  event->abi = set->abi;
  event->phase = set->phase;
  event->kind = kind;
  event->arg_index = arg_index;
  event->arg_value = arg_value;
  if (comm)
    __builtin_memcpy(event->comm, comm, sizeof(event->comm));
  else
    bpf_get_current_comm(event->comm, sizeof(event->comm));
  struct task_struct* task = bpf_get_current_task_btf();
  bpf_probe_read_kernel_str(event->cgroup_name, sizeof(event->cgroup_name),
                            task->cgroups->dfl_cgrp->kn->name);
  bpf_ringbuf_submit(event, 0);
  count_stat(TAILOR_STAT_EVENTS_SENT);
}

#include "denials.bpf.h"

static __always_inline __u64 syscall_arg(struct pt_regs* regs, __u32 index) {
#if defined(__TARGET_ARCH_x86)
  switch (index) {
    case 0:
      return regs->di;
    case 1:
      return regs->si;
    case 2:
      return regs->dx;
    case 3:
      return regs->r10;
    case 4:
      return regs->r8;
    default:
      return regs->r9;
  }
#elif defined(__TARGET_ARCH_arm64)
  /* x0 is overwritten by the return value; the kernel keeps arg 0 in orig_x0. */
  return index == 0 ? regs->orig_x0 : regs->regs[index & 7];
#else
  return 0;
#endif
}

static __always_inline void mark_args_overflow(struct tailor_syscall_set* set, __u32 nr) {
  __u32 word = nr / 64;
  if (word < TAILOR_BITMAP_WORDS) __sync_fetch_and_or(&set->args_overflow[word], 1ULL << (nr & 63));
  count_stat(TAILOR_STAT_ARGS_OVERFLOW);
}

/* Keeps the distinct values of one argument, within the set's budget. A set
 * whose budget or whose map room runs out marks the syscall, so a profile
 * leaves its arguments unrestricted rather than wrong. */
static __noinline void record_arg(struct pt_regs* regs, struct tailor_syscall_set* set, __u32 slot,
                                  __u32 nr, __u8 spec) {
  __u32 index = spec & 0x7;
  __u64 value;
  if (spec & TAILOR_ARG_CLONE3_FLAGS) {
    index = 0;
    if (bpf_probe_read_user(&value, sizeof(value), (void*)syscall_arg(regs, 0)) != 0) {
      count_stat(TAILOR_STAT_ARGS_UNREADABLE);
      mark_args_overflow(set, nr);
      return;
    }
  } else {
    value = syscall_arg(regs, index);
  }
  struct tailor_arg_key key = {
      .slot = slot, .nr = (__u16)nr, .arg_index = (__u8)index, .value = value};
  __u64* calls = bpf_map_lookup_elem(&arg_values, &key);
  if (calls) {
    __sync_fetch_and_add(calls, 1);
    return;
  }
  if (__sync_fetch_and_add(&set->arg_values, 1) >= TAILOR_MAX_ARG_VALUES_PER_SET) {
    mark_args_overflow(set, nr);
    return;
  }
  __u64 one = 1;
  long err = bpf_map_update_elem(&arg_values, &key, &one, BPF_NOEXIST);
  if (err == 0) {
    emit_event(bpf_get_current_cgroup_id(), set, nr, TAILOR_EVENT_ARG_SEEN, (__u8)index, value, 0);
  } else if (err != -17 /* EEXIST: another CPU was first */) {
    mark_args_overflow(set, nr);
  }
}

/* The native set of the current task's cgroup and its index, through the
 * cache, and the cache page that answered (its header is what else the call
 * reads). `cset` is the task's css_set and `cgrp` its cgroup, as the caller read
 * them. A cgroup a process is being moved into is not cached, and says so. */
static __always_inline struct tailor_syscall_set* current_set(struct task_struct* task,
                                                              struct css_set* cset,
                                                              struct cgroup* cgrp, __u32* index,
                                                              int* arrival,
                                                              struct tailor_cache_page** at) {
  __u64 key = address_of(cset);
  struct tailor_cache_page* page = cache_page(key);
  *at = page;
  __u64 slot;
  *arrival = 0;
  struct tailor_cache_entry* cached = cache_slot(page, key);
  if (!cache_get(cached, key, address_of(cgrp), page->generation, &slot)) {
    /* The task may have moved since it read `cset`, and its old cgroup been
     * removed. Read with a full barrier before the task's css_set is read again:
     * either that read sees the move, or this one precedes the removal's bump
     * and the entry is stale at once. */
    __u64 generation = __sync_fetch_and_add(&page->generation, 0);
    __u64 cgroup_id = cgrp->kn->id;
    slot = resolve(cgrp, cgroup_id);
    *arrival = slot && is_arriving(cgroup_id);
    if (!*arrival && task->cgroups == cset)
      cache_put(cached, key, address_of(cgrp), generation, slot);
  }
  if (!slot) return 0;
  *index = (__u32)(slot - 1);
  return bpf_map_lookup_elem(&syscall_sets, index);
}

/* A set other than a cgroup's native one: compat calls, runtime phases. Rare,
 * so found by hash rather than cached. */
static __always_inline struct tailor_syscall_set* other_set(struct tailor_syscall_set* native,
                                                            __u32 abi, __u32 phase, __u32* index) {
  *index = (__u32)(slot_for(native->cgroup_id, abi, phase) - 1);
  return bpf_map_lookup_elem(&syscall_sets, index);
}

/* Stripe `stripe` (1 and up) of the counts of the set in `slot`. */
static __always_inline struct tailor_count_stripe* count_stripe(__u32 slot, __u32 stripe_mask,
                                                                __u32 stripe) {
  __u32 at = slot * stripe_mask + stripe - 1;
  return bpf_map_lookup_elem(&count_stripes, &at);
}

/* This CPU's stripe of the counts; the counters in the set's stripes are the
 * fallback for calls whose cell another set holds. */
static __always_inline __u32 current_stripe(struct tailor_cache_page* page) {
  __u32 stripe_mask = page->stripe_mask;
  return stripe_mask ? bpf_get_smp_processor_id() & stripe_mask : 0;
}

static __always_inline __u64* stripe_counter(struct tailor_cache_page* page,
                                             struct tailor_syscall_set* set, __u32 slot,
                                             __u32 stripe, __u32 n) {
  if (stripe == 0) return &set->counts[n];
  struct tailor_count_stripe* counts = count_stripe(slot, page->stripe_mask, stripe);
  return counts ? &counts->counts[n] : &set->counts[n];
}

/* The first of the two cells (one cache line, in the stripe's region) where `owner`
 * may hold a counter in this page. */
static __always_inline struct tailor_count_cell* cell_pair(struct tailor_cache_page* page,
                                                           __u32 owner, __u32 stripe) {
  __u32 at = (stripe & (TAILOR_CELL_REGIONS - 1)) * TAILOR_CELLS_PER_REGION +
             (((owner * (__u32)TAILOR_CACHE_GOLDEN) >> 27) & (TAILOR_CELLS_PER_REGION - 2));
  return &page->cells[at];
}

/* The counter of call `n` by the set in `slot` on this CPU: a cell of the caller's
 * cache page, which the call has just read, when one is its or free; else its stripe
 * of the set, a page of its own. `claimed`: the call took the cell. */
static __always_inline __u64* call_counter(struct tailor_cache_page* page,
                                           struct tailor_syscall_set* set, __u32 slot, __u32 n,
                                           int* claimed) {
  __u32 stripe = current_stripe(page);
  __u32 owner = TAILOR_CELL_OWNER(slot, stripe, n);
  struct tailor_count_cell* cells = cell_pair(page, owner, stripe);
  for (int way = 0; way < 2; way++) {
    __u32 held = cells[way].owner;
    if (held == owner) return &cells[way].calls;
    if (held == 0) {
      held = __sync_val_compare_and_swap(&cells[way].owner, 0, owner);
      if (held == 0) *claimed = 1;
      if (held == 0 || held == owner) return &cells[way].calls;
    }
  }
  return stripe_counter(page, set, slot, stripe, n);
}

static __always_inline void count_call(struct cgroup* cgrp, struct tailor_cache_page* page,
                                       struct tailor_syscall_set* set, __u32 slot, __u32 n,
                                       const char* comm) {
  /* Only a counter's first call of `n` can be the set's first: every other call
   * leaves `seen` unread, one cache line fewer. A cell just claimed looks too: a
   * call of the set's previous owner may have reached it after user space freed it. */
  int claimed = 0;
  if (__sync_fetch_and_add(call_counter(page, set, slot, n, &claimed), 1) != 0 && !claimed) return;
  __u64 bit = 1ULL << (n & 63);
  __u64* word = &set->seen[n / 64];
  /* The plain read keeps a stripe's first call of a syscall the set has seen
   * free of a locked op; the fetch-or makes exactly one CPU emit the event. */
  if (!(*word & bit) && !(__sync_fetch_and_or(word, bit) & bit))
    emit_event(cgrp->kn->id, set, n, TAILOR_EVENT_FIRST_SEEN, 0, 0, comm);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tailor_sys_enter, struct pt_regs* regs, long id) {
  struct task_struct* task = bpf_get_current_task_btf();
  struct css_set* cset = task->cgroups;
  struct cgroup* cgrp = cset->dfl_cgrp;
  __u32 index;
  int arrival;
  struct tailor_cache_page* page;
  struct tailor_syscall_set* set = current_set(task, cset, cgrp, &index, &arrival, &page);
  if (!set) return 0;

  long nr = id;
  __u32 abi = syscall_abi(task, &nr);
  if (nr < 0 || nr >= TAILOR_MAX_SYSCALLS) {
    count_stat(TAILOR_STAT_NR_OUT_OF_RANGE);
    return 0;
  }
  __u32 n = (__u32)nr;
  __u32 phase = call_phase(task, abi, n, arrival);
  if (abi != TAILOR_ABI_NATIVE || phase != TAILOR_PHASE_WORKLOAD) {
    set = other_set(set, abi, phase, &index);
    if (!set) return 0;
  }
  count_call(cgrp, page, set, index, n, 0);

  /* The bit is set only for a syscall `arg_specs` names (Recorder::open). */
  if (abi == TAILOR_ABI_NATIVE && (page->arg_syscalls[n / 64] & (1ULL << (n & 63))))
    record_arg(regs, set, index, n, arg_specs[n]);
  return 0;
}

/* A runtime process's exec: the runtime running itself again stays the
 * runtime; anything else is the workload's entrypoint, and the process is the
 * workload's from here on. That exec always meets the container's filter, so
 * when the runtime made it before installing one (an unconfined recording), it
 * is counted once more where the profile takes it from. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tailor_exec, struct task_struct* task, pid_t old_pid, struct linux_binprm* bprm) {
  if (!task->bpf_storage) return 0;
  struct tailor_runtime_mark* mark = bpf_task_storage_get(&runtime_marks, task, 0, 0);
  if (!mark) return 0;
  if (execs_runtime_again(mark, bprm->file)) {
    set_exe(mark, bprm->file);
    mark->exec_nr = 0;
    return 0;
  }
  __u32 nr = mark->exec_nr;
  char comm[TAILOR_COMM_LEN];
  __builtin_memcpy(comm, mark->exec_comm, sizeof(comm));
  bpf_task_storage_delete(&runtime_marks, task);
  if (!nr || nr >= TAILOR_MAX_SYSCALLS || task->seccomp.mode != SECCOMP_MODE_DISABLED) return 0;

  struct css_set* cset = task->cgroups;
  struct cgroup* cgrp = cset->dfl_cgrp;
  __u32 index;
  int arrival;
  struct tailor_cache_page* page;
  struct tailor_syscall_set* set = current_set(task, cset, cgrp, &index, &arrival, &page);
  if (!set) return 0;
  set = other_set(set, TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED, &index);
  if (set) count_call(cgrp, page, set, index, nr, comm);
  return 0;
}

#include "errno_denials.bpf.h"
