/* The contract between Tailor's BPF programs and user space. Both sides include
 * this header, so it holds only fixed-size types and plain constants. Any change
 * to a layout below must bump TAILOR_ABI_VERSION: the loader refuses an object
 * (or pinned maps) built for another version. */
#pragma once

#ifdef __BPF__
/* vmlinux.h provides the __u* types on the BPF side. */
#else
#include <linux/types.h>
#endif

#define TAILOR_ABI_VERSION 7

/* Highest syscall number + 1 that a bitmap holds. x86_64 and arm64 are past 460
 * today; x32 numbers (with __X32_SYSCALL_BIT removed) reach 547. */
#define TAILOR_MAX_SYSCALLS 576
#define TAILOR_BITMAP_WORDS (TAILOR_MAX_SYSCALLS / 64)

/* Deepest cgroup nesting the ancestor walk looks through. */
#define TAILOR_MAX_CGROUP_DEPTH 32

#define TAILOR_COMM_LEN 16
/* Room for a container cgroup's own name: "cri-containerd-<64 hex>.scope" is 86. */
#define TAILOR_CGROUP_NAME_LEN 128

/* Which syscall table a call went through. Compat calls are never folded into the
 * native numbers: the same value names another syscall there. */
enum tailor_abi {
  TAILOR_ABI_NATIVE = 0, /* x86_64, aarch64 */
  TAILOR_ABI_COMPAT = 1, /* ia32 on x86_64, aarch32 on arm64 */
  TAILOR_ABI_X32 = 2,    /* x32 on x86_64 */
  TAILOR_ABI_COUNT = 3,
};

/* How a tracked cgroup treats processes in its descendants. */
enum tailor_track_mode {
  /* Everything below the cgroup is counted as the cgroup itself
   * (`tailor record`: a command and all its children). */
  TAILOR_TRACK_AGGREGATE = 1,
  /* Each descendant cgroup gets its own set, created at its first syscall
   * (the agent: one set per container under the kubepods root). */
  TAILOR_TRACK_SPLIT = 2,
  /* The cgroup and its descendants are not recorded, even below a tracked one
   * (the agent: pods that are not selected, sandbox containers). */
  TAILOR_TRACK_IGNORE = 3,
};

/* Key of the `tracked` hash map: cgroup id (the cgroup2 directory's inode). */
struct tailor_track_cfg {
  __u32 mode; /* enum tailor_track_mode */
  __u32 reserved;
};

/* Who made a call, as far as a seccomp profile is concerned. The container
 * runtime runs in the container's cgroup before the workload does; what it does
 * before it installs the container's seccomp filter never meets that filter.
 * A runtime process is one that came into the recorded set from outside it
 * (moved into its cgroup, or cloned into it by a process outside) and has not
 * yet executed anything but the runtime itself; its children are too. Names
 * play no part: runc runs as "exe" before it names its stages. */
enum tailor_phase {
  TAILOR_PHASE_WORKLOAD = 0,      /* anything that is not the runtime */
  TAILOR_PHASE_RUNTIME_SETUP = 1, /* a runtime process with no seccomp filter yet */
  /* A runtime process already under a filter, and the exec of the workload by
   * the runtime, which always comes after the filter. */
  TAILOR_PHASE_RUNTIME_FILTERED = 2,
  TAILOR_PHASE_COUNT = 3,
};

/* Key of the `set_slots` hash map, whose value is the __u32 index of the set
 * in the `syscall_sets` array. */
struct tailor_set_key {
  __u64 cgroup_id; /* the tracked cgroup, or in split mode the process's own cgroup */
  __u32 abi;       /* enum tailor_abi */
  __u32 phase;     /* enum tailor_phase */
};

/* Element of the `syscall_sets` array (mmap-able): what one cgroup did through
 * one ABI. Slots come from the `free_slots` queue, which user space fills and
 * refills; the program takes one at a set's first syscall. */
struct tailor_syscall_set {
  __u64 cgroup_id; /* owner, as in its tailor_set_key; 0 while the slot is free */
  __u32 abi;
  __u32 phase;
  __u64 seen[TAILOR_BITMAP_WORDS];
  /* Syscalls whose argument values outgrew the per-set budget: their values
   * are incomplete, so a profile must not restrict them. */
  __u64 args_overflow[TAILOR_BITMAP_WORDS];
  __u32 arg_values; /* distinct argument values kept for this set */
  __u32 reserved;
  /* Calls counted on CPUs of stripe 0; the other stripes are in `count_stripes`. */
  __u64 counts[TAILOR_MAX_SYSCALLS];
};

/* Calls of one set counted on the CPUs of one stripe (cpu % stripes), so that
 * threads of one container on different CPUs do not take turns owning one
 * counter's cache line (docs/decisions/0010). Element `slot * (stripes - 1) +
 * stripe - 1` of the mmap-able `count_stripes` array holds stripe 1 and up of
 * the set in `slot`; stripe 0 is the set's own `counts`. A count is the sum. */
#define TAILOR_MAX_COUNT_STRIPES 8
struct tailor_count_stripe {
  __u64 counts[TAILOR_MAX_SYSCALLS];
};

/* Argument recording. The loader fills `arg_specs` (indexed by native syscall
 * number) before load: which argument of a syscall to keep distinct values of.
 * Only native calls are examined; a profile keeps compat calls by name. */
#define TAILOR_ARG_NONE 0xff
/* The argument is a pointer to struct clone_args; its first u64 (flags) is kept. */
#define TAILOR_ARG_CLONE3_FLAGS 0x80
#define TAILOR_MAX_ARG_VALUES_PER_SET 256

/* Key of the `arg_values` hash map (value: __u64 calls). */
struct tailor_arg_key {
  __u32 slot; /* the set's index in syscall_sets */
  __u16 nr;
  __u8 arg_index; /* 0..5 */
  __u8 reserved;
  __u64 value;
};

/* The recorder's resolution cache (bpf/resolve_cache.bpf.h), in .bss, which the
 * skeleton exposes. Each page carries its own copy of the generation and of what
 * else the hot path reads besides the set, and counters of the sets its entries
 * name, so that a tracked call touches one page of it and, mostly, nothing else:
 * on a kernel that switches page tables on every syscall (PTI without PCID),
 * every page the program touches is a TLB miss (docs/decisions/0010). */
#define TAILOR_CACHE_PAGE_BYTES 4096
#define TAILOR_CACHE_PAGE_BITS 6
#define TAILOR_CACHE_PAGES (1 << TAILOR_CACHE_PAGE_BITS)
struct tailor_cache_entry {
  __u64 css_set; /* the caller's css_set, as an offset from the table (bpf/resolve_cache.bpf.h) */
  __u64 slot_plus_one; /* native set of the cgroup's calls; 0: not tracked */
  __u64 generation;
  /* Mixes the other three and the css_set's cgroup: a half-written entry, or one
   * whose css_set's address now holds a css_set of another cgroup, does not match. */
  __u64 check;
};
/* An entry's check word: css_set ^ cgroup * MIX ^ slot_plus_one * GOLDEN ^
 * generation << 32 ^ GOLDEN, with both addresses as the css_set is (odd
 * multipliers, so that neither term can cancel another). */
#define TAILOR_CACHE_GOLDEN 0x9E3779B97F4A7C15ULL
#define TAILOR_CACHE_MIX 0xC2B2AE3D27D4EB4FULL

/* One counter of a page: the calls of one syscall by one set on the CPUs of one
 * stripe, claimed by the set's first such call in the page (bpf/recorder.bpf.c).
 * A call whose cells are taken by other sets counts in the set's stripe; a count
 * is the sum of the set's stripes and its cells in every page. User space frees a
 * set's cells when it releases the set. */
struct tailor_count_cell {
  __u32 owner; /* TAILOR_CELL_OWNER(slot, stripe, nr); 0: free */
  __u32 reserved;
  __u64 calls;
};
#define TAILOR_CELL_NR_BITS 10
#define TAILOR_CELL_STRIPE_BITS 3
#define TAILOR_CELL_SLOT_SHIFT (TAILOR_CELL_NR_BITS + TAILOR_CELL_STRIPE_BITS)
#define TAILOR_CELL_OWNER(slot, stripe, nr)                                                     \
  ((((__u32)(slot) + 1) << TAILOR_CELL_SLOT_SHIFT) | ((__u32)(stripe) << TAILOR_CELL_NR_BITS) | \
   (__u32)(nr))
/* Slots an owner word can name. */
#define TAILOR_CELL_MAX_SLOTS ((1u << (32 - TAILOR_CELL_SLOT_SHIFT)) - 1)
/* The cells are in four regions of whole cache lines, one per stripe (stripe & 3),
 * so that CPUs of different stripes never write one line. */
#define TAILOR_CELL_REGIONS 4
#define TAILOR_CELLS_PER_REGION 32
#define TAILOR_CACHE_PAGE_CELLS (TAILOR_CELL_REGIONS * TAILOR_CELLS_PER_REGION)

#define TAILOR_CACHE_HEADER_WORDS 16
#define TAILOR_CACHE_PAGE_ENTRIES                                 \
  ((TAILOR_CACHE_PAGE_BYTES - 8 * TAILOR_CACHE_HEADER_WORDS -     \
    TAILOR_CACHE_PAGE_CELLS * sizeof(struct tailor_count_cell)) / \
   sizeof(struct tailor_cache_entry))
struct tailor_cache_page {
  /* Bumped in every page whenever `tracked` changes (user space), a cgroup is
   * removed or a recorded one populated from outside (the programs). */
  __u64 generation;
  /* Written by user space in every page before the programs attach, and never
   * after. Count stripes minus one, a power of two minus one (0: one stripe). */
  __u32 stripe_mask;
  __u32 reserved;
  /* The native syscalls whose arguments are recorded: those `arg_specs` names. */
  __u64 arg_syscalls[TAILOR_BITMAP_WORDS];
  __u64 reserved_words[TAILOR_CACHE_HEADER_WORDS - 2 - TAILOR_BITMAP_WORDS];
  struct tailor_cache_entry entries[TAILOR_CACHE_PAGE_ENTRIES];
  struct tailor_count_cell cells[TAILOR_CACHE_PAGE_CELLS];
};

enum tailor_event_kind {
  TAILOR_EVENT_FIRST_SEEN = 1, /* first time a set saw this (abi, syscall) */
  TAILOR_EVENT_ARG_SEEN = 2,   /* first time a set saw this argument value */
  TAILOR_EVENT_DENIED = 3,     /* first time a seccomp filter denied this (abi, syscall, action) */
};

/* What a seccomp filter did to a call it did not simply allow
 * (docs/decisions/0007-denials-from-signal-and-exit-tracepoints.md; ERRNO:
 * 0009-errno-denials-at-sys-exit.md). LOG leaves no trace the kernel reports
 * and is not seen. */
enum tailor_denial_action {
  /* The process died: SECCOMP_RET_KILL_PROCESS, or KILL_THREAD of its last
   * thread, which the kernel turns into the same core-dumping SIGSYS. */
  TAILOR_DENIAL_KILL_PROCESS = 1,
  TAILOR_DENIAL_KILL_THREAD = 2, /* one thread died, the process lives on */
  TAILOR_DENIAL_TRAP = 3,        /* SIGSYS delivered to the caller */
  /* The call was skipped and failed with an errno: seen at sys_exit, only
   * while the watcher is attached (bpf/errno_denials.bpf.h). */
  TAILOR_DENIAL_ERRNO = 4,
  TAILOR_DENIAL_ACTION_COUNT = 5,
};

/* Key of the `denials` hash map (value: __u64 calls), per set like the
 * recording sets: the tracked cgroup, or in split mode the caller's own. */
struct tailor_denial_key {
  __u64 cgroup_id;
  __u32 abi;    /* enum tailor_abi */
  __u32 nr;     /* syscall number within its ABI */
  __u32 action; /* enum tailor_denial_action */
  __u32 reserved;
};

/* Ring buffer record. Sent once per (set, abi, syscall), never per call. */
struct tailor_event {
  __u64 timestamp_ns;  /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
  __u64 cgroup_id;     /* cgroup the calling process was in */
  __u64 set_cgroup_id; /* set the call was counted in */
  __u32 pid;           /* thread group id */
  __u32 tid;
  __u32 nr; /* syscall number within its ABI */
  __u8 abi;
  __u8 phase;
  __u8 kind;
  __u8 arg_index; /* TAILOR_EVENT_ARG_SEEN only */
  union {
    __u64 arg_value; /* TAILOR_EVENT_ARG_SEEN */
    __u64 action;    /* TAILOR_EVENT_DENIED: enum tailor_denial_action */
  };
  char comm[TAILOR_COMM_LEN];
  /* The last component of the caller's cgroup path: a container's cgroup can
   * be gone by the time user space reads the event, its name says whose it was. */
  char cgroup_name[TAILOR_CGROUP_NAME_LEN];
};

/* Indices of the per-CPU `stats` array: recorder faults are counted, never silent. */
enum tailor_stat {
  TAILOR_STAT_EVENTS_SENT = 0,
  TAILOR_STAT_EVENTS_DROPPED = 1,  /* ring buffer full: the bit is still set in the map */
  TAILOR_STAT_SETS_FULL = 2,       /* no free slot for a new set */
  TAILOR_STAT_NR_OUT_OF_RANGE = 3, /* syscall number >= TAILOR_MAX_SYSCALLS or negative */
  TAILOR_STAT_DEPTH_EXCEEDED = 4,  /* cgroup nested deeper than the walk looks */
  TAILOR_STAT_CACHE_MISSES = 5,    /* ancestor walks: new cgroups, collisions, generation bumps */
  TAILOR_STAT_ARGS_OVERFLOW = 6,   /* argument values past a set's budget or the map's room */
  TAILOR_STAT_ARGS_UNREADABLE = 7, /* clone3's clone_args could not be read */
  TAILOR_STAT_DENIALS_LOST = 8,    /* denials not counted: the denials map was full */
  TAILOR_STAT_COUNT = 9,
};

/* Checked by both compilers so the two sides cannot drift apart. */
#ifdef __cplusplus
#define TAILOR_ABI_ASSERT(cond, what) static_assert(cond, what)
#else
#define TAILOR_ABI_ASSERT(cond, what) _Static_assert(cond, what)
#endif
TAILOR_ABI_ASSERT(sizeof(struct tailor_track_cfg) == 8, "ABI: tailor_track_cfg");
TAILOR_ABI_ASSERT(sizeof(struct tailor_set_key) == 16, "ABI: tailor_set_key");
TAILOR_ABI_ASSERT(sizeof(struct tailor_syscall_set) ==
                      8 * (3 + 2 * TAILOR_BITMAP_WORDS + TAILOR_MAX_SYSCALLS),
                  "ABI: tailor_syscall_set");
TAILOR_ABI_ASSERT(sizeof(struct tailor_count_stripe) == 8 * TAILOR_MAX_SYSCALLS, "ABI: stripe");
TAILOR_ABI_ASSERT((TAILOR_MAX_COUNT_STRIPES & (TAILOR_MAX_COUNT_STRIPES - 1)) == 0, "ABI: stripes");
TAILOR_ABI_ASSERT(sizeof(struct tailor_cache_entry) == 32, "ABI: tailor_cache_entry");
TAILOR_ABI_ASSERT(sizeof(struct tailor_cache_page) == TAILOR_CACHE_PAGE_BYTES, "ABI: cache page");
TAILOR_ABI_ASSERT(TAILOR_CACHE_HEADER_WORDS % 8 == 0 && TAILOR_CACHE_PAGE_ENTRIES % 2 == 0,
                  "ABI: the cells start on a cache line");
TAILOR_ABI_ASSERT(TAILOR_MAX_SYSCALLS <= (1 << TAILOR_CELL_NR_BITS), "ABI: cell owner");
TAILOR_ABI_ASSERT(TAILOR_MAX_COUNT_STRIPES <= (1 << TAILOR_CELL_STRIPE_BITS), "ABI: cell owner");
TAILOR_ABI_ASSERT(sizeof(struct tailor_event) == 64 + TAILOR_CGROUP_NAME_LEN, "ABI: tailor_event");
TAILOR_ABI_ASSERT(sizeof(struct tailor_arg_key) == 16, "ABI: tailor_arg_key");
TAILOR_ABI_ASSERT(sizeof(struct tailor_denial_key) == 24, "ABI: tailor_denial_key");
TAILOR_ABI_ASSERT(TAILOR_MAX_SYSCALLS % 64 == 0, "ABI: bitmap words");
