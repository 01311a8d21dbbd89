/* Calls a seccomp filter denied, seen where the denial ends in a signal or an
 * exit: a denied call never reaches sys_enter, and the filter's ERRNO branch
 * calls nothing a program can attach to (docs/decisions/0007-*). Both hooks
 * fire only on a denial or an exit, so an allowed call pays nothing.
 *
 * Included by recorder.bpf.c after count_stat and syscall_abi. */
#pragma once

// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <tailor/bpf/abi.h>

#include "maps.bpf.h"
#include "runtime_marks.bpf.h"

#define TAILOR_SIGSYS 31
#define TAILOR_SYS_SECCOMP 1       /* si_code of a seccomp SIGSYS */
#define TAILOR_SECCOMP_MODE_DEAD 3 /* set by the filter's KILL actions before the kill */
#define TAILOR_SIGNAL_GROUP_EXIT 0x4
#define TAILOR_AUDIT_ARCH_I386 0x40000003
#define TAILOR_AUDIT_ARCH_ARM 0x40000028

/* The ABI of a call as seccomp saw it (si_arch, si_syscall). x32 shares
 * x86_64's audit arch and marks its numbers instead. */
static __always_inline __u32 abi_of_audit_arch(__u32 arch, long* nr) {
  if (*nr & X32_SYSCALL_BIT) {
    *nr &= ~(long)X32_SYSCALL_BIT;
    return TAILOR_ABI_X32;
  }
  return arch == TAILOR_AUDIT_ARCH_I386 || arch == TAILOR_AUDIT_ARCH_ARM ? TAILOR_ABI_COMPAT
                                                                         : TAILOR_ABI_NATIVE;
}

static __always_inline void emit_denial(__u64 owner, __u32 abi, __u32 nr, __u32 action) {
  struct tailor_event* event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
  if (!event) {
    count_stat(TAILOR_STAT_EVENTS_DROPPED);
    return;
  }
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  struct task_struct* task = bpf_get_current_task_btf();
  event->timestamp_ns = bpf_ktime_get_ns();
  event->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
  event->set_cgroup_id = owner;
  event->pid = pid_tgid >> 32;
  event->tid = (__u32)pid_tgid;
  event->nr = nr;
  event->abi = abi;
  event->phase = TAILOR_PHASE_WORKLOAD;
  event->kind = TAILOR_EVENT_DENIED;
  event->arg_index = 0;
  event->action = action;
  bpf_get_current_comm(event->comm, sizeof(event->comm));
  bpf_probe_read_kernel_str(event->cgroup_name, sizeof(event->cgroup_name),
                            task->cgroups->dfl_cgrp->kn->name);
  bpf_ringbuf_submit(event, 0);
  count_stat(TAILOR_STAT_EVENTS_SENT);
}

/* Counts one denial of the current task's call in its set, with a first-seen
 * event the first time; a denial in a cgroup nobody records is dropped. */
static __noinline void count_denial(long nr, __u32 abi, __u32 action) {
  if (nr < 0 || nr >= TAILOR_MAX_SYSCALLS) {
    count_stat(TAILOR_STAT_NR_OUT_OF_RANGE);
    return;
  }
  struct task_struct* task = bpf_get_current_task_btf();
  __u64 owner = set_owner(task->cgroups->dfl_cgrp);
  if (!owner) return;
  struct tailor_denial_key key = {
      .cgroup_id = owner, .abi = abi, .nr = (__u32)nr, .action = action, .reserved = 0};
  __u64* calls = bpf_map_lookup_elem(&denials, &key);
  if (calls) {
    __sync_fetch_and_add(calls, 1);
    return;
  }
  __u64 one = 1;
  long err = bpf_map_update_elem(&denials, &key, &one, BPF_NOEXIST);
  if (err == 0) {
    emit_denial(owner, abi, (__u32)nr, action);
  } else if (err == -17 /* EEXIST: another CPU was first */) {
    calls = bpf_map_lookup_elem(&denials, &key);
    if (calls) __sync_fetch_and_add(calls, 1);
  } else {
    count_stat(TAILOR_STAT_DENIALS_LOST);
  }
}

/* SECCOMP_RET_TRAP: the filter sends the caller a SIGSYS carrying the call.
 * The KILL actions send one too (for the core dump), but the caller's exit
 * counts those, below, since KILL_THREAD of one of several threads sends none. */
SEC("tp_btf/signal_generate")
int BPF_PROG(tailor_signal, int sig, struct kernel_siginfo* info, struct task_struct* task,
             int group, int result) {
  if (sig != TAILOR_SIGSYS || task != bpf_get_current_task_btf()) return 0;
  if (task->seccomp.mode == TAILOR_SECCOMP_MODE_DEAD) return 0;
  struct kernel_siginfo si;
  /* info may be one of the SEND_SIG_* markers rather than a pointer. */
  if (bpf_probe_read_kernel(&si, sizeof(si), info) != 0 || si.si_code != TAILOR_SYS_SECCOMP)
    return 0;
  long nr = si._sifields._sigsys._syscall;
  __u32 abi = abi_of_audit_arch(si._sifields._sigsys._arch, &nr);
  count_denial(nr, abi, TAILOR_DENIAL_TRAP);
  return 0;
}

/* The number the caller asked for, which the entry code keeps apart from the
 * registers a skipped or killed call's return value overwrites. */
static __always_inline long syscall_nr_of(struct pt_regs* regs) {
#if defined(__TARGET_ARCH_x86)
  return regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
  return regs->syscallno;
#else
  return -1;
#endif
}

/* SECCOMP_RET_KILL_*: the filter marks the caller's seccomp mode dead, then
 * kills the process (a group exit) or, when other threads live on, the caller
 * alone. Either way the caller exits in the denied call, whose number its
 * registers still hold. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tailor_exit, struct task_struct* task) {
  if (task->seccomp.mode != TAILOR_SECCOMP_MODE_DEAD) return 0;
  struct pt_regs* regs = (struct pt_regs*)bpf_task_pt_regs(task);
  if (!regs) return 0;
  long nr = syscall_nr_of(regs);
  __u32 abi = syscall_abi(task, &nr);
  __u32 action = task->signal->flags & TAILOR_SIGNAL_GROUP_EXIT ? TAILOR_DENIAL_KILL_PROCESS
                                                                : TAILOR_DENIAL_KILL_THREAD;
  count_denial(nr, abi, action);
  return 0;
}
