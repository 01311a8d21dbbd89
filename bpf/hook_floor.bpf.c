/* The cheapest possible program on the same hook as the recorder: the bench
 * measures Tailor's cost above this floor, not above a machine with no hook. */
// clang-format off: the libbpf headers need vmlinux.h's types first.
#include "vmlinux.h"
// clang-format on
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(tailor_floor_sys_enter, struct pt_regs* regs, long id) { return 0; }
