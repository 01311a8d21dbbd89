/* The cheapest possible program on the same hook as the recorder: the bench
 * measures Tailor's cost above this floor, not above a machine with no hook.
 * The other programs each do one piece of the recorder's hot path and nothing
 * else, so the bench can price the pieces one by one (docs/decisions/0010). */
// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(tailor_floor_sys_enter, struct pt_regs* regs, long id) { return 0; }

/* Where the pieces leave what they read, so that the compiler keeps the loads. */
__u64 piece_sink;
__u64 piece_shared_count;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} piece_cpu_count SEC(".maps");

/* A small array map without BPF_F_MMAPABLE: kmalloc'ed, so in the kernel's
 * direct map (huge pages), where .bss and the other mmap-able maps are
 * vmalloc'ed 4 KB pages. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} piece_direct_count SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(piece_task, struct pt_regs* regs, long id) {
  piece_sink = (__u64)bpf_get_current_task_btf();
  return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(piece_cgroup_serial, struct pt_regs* regs, long id) {
  piece_sink = bpf_get_current_task_btf()->cgroups->dfl_cgrp->self.serial_nr;
  return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(piece_cgroup_kn_id, struct pt_regs* regs, long id) {
  piece_sink = bpf_get_current_task_btf()->cgroups->dfl_cgrp->kn->id;
  return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(piece_cgroup_id_helper, struct pt_regs* regs, long id) {
  piece_sink = bpf_get_current_cgroup_id();
  return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(piece_shared_atomic, struct pt_regs* regs, long id) {
  __sync_fetch_and_add(&piece_shared_count, 1);
  return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(piece_percpu_add, struct pt_regs* regs, long id) {
  __u32 zero = 0;
  __u64* count = bpf_map_lookup_elem(&piece_cpu_count, &zero);
  if (count) *count += 1;
  return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(piece_direct_map_atomic, struct pt_regs* regs, long id) {
  __u32 zero = 0;
  __u64* count = bpf_map_lookup_elem(&piece_direct_count, &zero);
  if (count) __sync_fetch_and_add(count, 1);
  return 0;
}
