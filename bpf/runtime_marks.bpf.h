/* Which processes in a recorded set are the container runtime's, told apart by
 * what they did rather than by what they are called.
 *
 * A runtime starts a container from outside the container's cgroup: runc moves
 * its `runc init` child in (it runs as "exe" until it names itself, and may
 * re-execute a copy of itself first), crun clones its child straight into it
 * (CLONE_INTO_CGROUP). Either way the process comes into the set from outside,
 * and it stays the runtime's, children included, until it executes the
 * workload's entrypoint: an exec of any file but the runtime's own binary or an
 * anonymous copy of it (memfd, O_TMPFILE: no link on any filesystem).
 *
 * Marking happens in rare hooks (fork, cgroup migration, exec); the syscall hot
 * path only reads whether the thread group leader holds any task storage. A
 * process moved in is marked once the move is done; in between, its cgroup is
 * flagged as arriving, which only the slow path (a cache miss) reads. */
#pragma once

// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <tailor/bpf/abi.h>

#include "maps.bpf.h"
#include "resolve_cache.bpf.h"

#define TAILOR_ARRIVAL_NS 1000000000ULL

#if defined(__TARGET_ARCH_x86)
#define TAILOR_NR_EXECVE 59
#define TAILOR_NR_EXECVEAT 322
#elif defined(__TARGET_ARCH_arm64)
#define TAILOR_NR_EXECVE 221
#define TAILOR_NR_EXECVEAT 281
#endif

/* The set a cgroup's calls go to (0: none), as resolve() finds it for the
 * current task, for any cgroup: the rare hooks are not the caller's cgroup. */
static __noinline __u64 set_owner(struct cgroup* cgrp) {
  if (!cgrp) return 0;
  __u64 self_id = cgrp->kn->id;
  for (int i = 0; i < TAILOR_MAX_CGROUP_DEPTH && cgrp; i++) {
    __u64 id = cgrp->kn->id;
    struct tailor_track_cfg* cfg = bpf_map_lookup_elem(&tracked, &id);
    if (cfg) {
      if (cfg->mode == TAILOR_TRACK_IGNORE) return 0;
      return cfg->mode == TAILOR_TRACK_SPLIT ? self_id : id;
    }
    struct cgroup_subsys_state* parent = cgrp->self.parent;
    cgrp = parent ? parent->cgroup : 0;
  }
  return 0;
}

static __always_inline void set_exe(struct tailor_runtime_mark* mark, struct file* exe) {
  struct inode* inode = exe ? exe->f_inode : 0;
  mark->exe_ino = inode ? inode->i_ino : 0;
  mark->exe_dev = inode ? inode->i_sb->s_dev : 0;
}

/* Marks a process (its thread group leader) as the runtime's. */
static __always_inline void mark_runtime(struct task_struct* task) {
  struct task_struct* leader = task->group_leader;
  if (!leader) return;
  struct tailor_runtime_mark* mark =
      bpf_task_storage_get(&runtime_marks, leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (!mark) return;
  struct mm_struct* mm = leader->mm;
  set_exe(mark, mm ? mm->exe_file : 0);
}

/* The mark of the calling thread's process; NULL for nearly every process,
 * decided by one load when the leader holds no task storage at all. */
static __always_inline struct tailor_runtime_mark* runtime_mark_of(struct task_struct* task) {
  struct task_struct* leader = task->group_leader;
  if (!leader || !leader->bpf_storage) return 0;
  return bpf_task_storage_get(&runtime_marks, leader, 0, 0);
}

/* A runtime thread entering exec: exec keeps only the calling thread, which
 * becomes the leader, so it carries the mark (and the call) through. */
static __always_inline void note_exec(struct task_struct* task, struct tailor_runtime_mark* mark,
                                      __u32 nr) {
  struct tailor_runtime_mark* own =
      task == task->group_leader
          ? mark
          : bpf_task_storage_get(&runtime_marks, task, mark, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (!own) return;
  own->exec_nr = nr;
  bpf_get_current_comm(own->exec_comm, sizeof(own->exec_comm));
}

static __always_inline int is_exec(__u32 nr) {
  return nr == TAILOR_NR_EXECVE || nr == TAILOR_NR_EXECVEAT;
}

/* Whether a runtime process's exec runs the runtime again: the same file
 * (runc 1.1 re-executes a read-only bind mount of itself) or an anonymous copy
 * (a memfd). The workload's entrypoint is always a file with a name. */
static __always_inline int execs_runtime_again(struct tailor_runtime_mark* mark,
                                               struct file* file) {
  struct inode* inode = file ? file->f_inode : 0;
  if (!inode) return 0;
  if (inode->i_nlink == 0) return 1;
  return inode->i_ino == mark->exe_ino && inode->i_sb->s_dev == mark->exe_dev;
}

/* A process that a runtime process forks is the runtime's too; one cloned from
 * outside straight into a recorded set (CLONE_INTO_CGROUP) came in from outside. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tailor_fork, struct task_struct* parent, struct task_struct* child) {
  if (!child || child->group_leader != child || !parent) return 0; /* threads share the leader's */
  struct tailor_runtime_mark* mark = runtime_mark_of(parent);
  if (mark) {
    struct tailor_runtime_mark* copy =
        bpf_task_storage_get(&runtime_marks, child, mark, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (copy) copy->exec_nr = 0;
    return 0;
  }
  struct cgroup* from = parent->cgroups->dfl_cgrp;
  struct cgroup* to = child->cgroups->dfl_cgrp;
  if (from == to) return 0;
  __u64 owner = set_owner(to);
  if (owner && owner != set_owner(from)) mark_runtime(child);
  /* The child has not run yet: the flag its birth set is not needed. */
  __u64 id = to->kn->id;
  bpf_map_delete_elem(&arriving, &id);
  return 0;
}

/* Whether a process from outside is being moved into the cgroup: its calls
 * there until the move's tracepoint marks it are the runtime's. A stale entry
 * (a tracepoint missed) stops counting after a second. */
static __always_inline int is_arriving(__u64 cgroup_id) {
  __u64* since = bpf_map_lookup_elem(&arriving, &cgroup_id);
  return since && bpf_ktime_get_ns() - *since < TAILOR_ARRIVAL_NS;
}

/* A move into an empty cgroup populates it before the moving process's
 * cgroup changes (css_set_move_task): a recorded cgroup populated from outside
 * is flagged as arriving, and its cached resolution dropped, so that the
 * process's first calls in there take the slow path and see the flag (its
 * css_set may be one the cache still holds from the cgroup's earlier life). The
 * cgroup's ancestors are populated by a child (nr_populated_csets is 0). */
SEC("tp_btf/cgroup_notify_populated")
int BPF_PROG(tailor_populated, struct cgroup* cgrp, const char* path, int populated) {
  if (!cgrp || !populated || cgrp->nr_populated_csets == 0) return 0;
  struct task_struct* self = bpf_get_current_task_btf();
  struct cgroup* from = self->cgroups->dfl_cgrp;
  if (!from || cgrp->root != from->root) return 0; /* a cgroup v1 hierarchy */
  __u64 owner = set_owner(cgrp);
  if (!owner || owner == set_owner(from)) return 0;
  __u64 id = cgrp->kn->id;
  __u64 now = bpf_ktime_get_ns();
  bpf_map_update_elem(&arriving, &id, &now, BPF_ANY);
  cache_invalidate();
  return 0;
}

/* A process moved into a recorded set from outside it (runc's `runc init`),
 * once the move is done; until then its cgroup was flagged as arriving. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(tailor_cgroup_attach, struct cgroup* dst, const char* path, struct task_struct* leader,
             bool threadgroup) {
  if (!dst || !leader) return 0;
  struct cgroup* now = leader->cgroups->dfl_cgrp;
  if (dst != now) return 0; /* a cgroup v1 hierarchy */
  struct task_struct* self = bpf_get_current_task_btf();
  __u64 owner = set_owner(dst);
  if (owner && owner != set_owner(self->cgroups->dfl_cgrp)) mark_runtime(leader);
  __u64 id = dst->kn->id;
  bpf_map_delete_elem(&arriving, &id);
  return 0;
}
