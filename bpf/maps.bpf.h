/* Every map of the recorder, defined in one place. Sizes marked "tunable" are
 * set by the loader before load (bpf_map__set_max_entries). */
#pragma once

// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_helpers.h>
#include <tailor/bpf/abi.h>

/* cgroup id -> how to track it. Written by user space only. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024); /* tunable */
  __type(key, __u64);
  __type(value, struct tailor_track_cfg);
} tracked SEC(".maps");

/* The sets themselves, in an array so that the hot path reaches a set by
 * index (inlined by the verifier) rather than by a hash lookup. User space
 * reads them through mmap, without a syscall per set. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, 1024); /* tunable: sets = max_entries */
  __type(key, __u32);
  __type(value, struct tailor_syscall_set);
} syscall_sets SEC(".maps");

/* Stripes 1 and up of each set's counts (tailor_count_stripe in abi.h). At
 * least one element, unused, when the loader chose one stripe. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, 1); /* tunable: sets * (stripes - 1) */
  __type(key, __u32);
  __type(value, struct tailor_count_stripe);
} count_stripes SEC(".maps");

/* (cgroup id, abi) -> index in syscall_sets. Written by the program when it
 * takes a slot; deleted by user space when it releases one. A set outlives
 * its cgroup, so a container that exits before user space looks is not lost. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024); /* tunable: same as syscall_sets */
  __type(key, struct tailor_set_key);
  __type(value, __u32);
} set_slots SEC(".maps");

/* Free indices of syscall_sets: pushed by user space, popped by the program. */
struct {
  __uint(type, BPF_MAP_TYPE_QUEUE);
  __uint(max_entries, 1024); /* tunable: same as syscall_sets */
  __type(value, __u32);
} free_slots SEC(".maps");

/* (set slot, syscall, argument, value) -> calls. Only for the syscalls the
 * loader names in arg_specs; bounded per set (TAILOR_MAX_ARG_VALUES_PER_SET). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384); /* tunable */
  __type(key, struct tailor_arg_key);
  __type(value, __u64);
} arg_values SEC(".maps");

/* What the program knows of a runtime process: which file it runs, so that it
 * can tell the runtime re-executing itself from the runtime starting the
 * workload, and the exec call it is making. */
struct tailor_runtime_mark {
  __u64 exe_ino;
  __u32 exe_dev;
  __u32 exec_nr;                   /* the execve/execveat this thread entered last, 0 for none */
  char exec_comm[TAILOR_COMM_LEN]; /* its comm then: exec replaces it */
};

/* The processes of a container runtime inside a recorded set: marked when they
 * come into the set from outside it, cleared when they execute something that
 * is not the runtime itself (bpf/runtime_marks.bpf.h). Kept on the thread
 * group leader, so every thread of a marked process is the runtime's. */
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct tailor_runtime_mark);
} runtime_marks SEC(".maps");

/* Recorded cgroups that a process from outside is being moved into right now:
 * cgroup id -> when (bpf_ktime_get_ns). Set when the move populates the empty
 * cgroup, before the process is in it; cleared once it is marked
 * (bpf/runtime_marks.bpf.h). Preallocated: set under a spinlock. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u64);
  __type(value, __u64);
} arriving SEC(".maps");

/* (set, abi, syscall, action) -> calls a seccomp filter denied. Written only
 * by the denial hooks (bpf/denials.bpf.h), which never run for an allowed call. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096); /* tunable */
  __type(key, struct tailor_denial_key);
  __type(value, __u64);
} denials SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024); /* tunable */
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, TAILOR_STAT_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");
