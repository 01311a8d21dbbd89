#!/usr/bin/env bash
# What the suite needs of the machine beyond packages, checked and said. Nothing is mounted
# here: tailor mounts a bpf filesystem itself where none is (as a node agent must), needs no
# tracefs or debugfs (its program attaches by BTF), and the crun tests make their own mount
# namespace. Kernel features the machine lacks make the tests that need them skip, with this
# reason.
set -euo pipefail
say() { echo "prepare-machine: $*"; }
if [ -e /sys/kernel/btf/vmlinux ]; then say "kernel BTF: yes ($(uname -r))"; else say "kernel BTF: NO: the BPF tests will skip"; fi
cgroup2="$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)"
if [ -n "$cgroup2" ]; then say "cgroup2: $cgroup2"; else say "cgroup2: NOT MOUNTED: the recorder and container tests will fail"; fi
if mountpoint -q /sys/fs/bpf 2>/dev/null; then say "bpffs: mounted at /sys/fs/bpf"; else say "bpffs: not mounted; the tests that pin mount it (tailor does, as a node agent)"; fi
if grep -qs ' tracefs ' /proc/self/mountinfo; then say "tracefs: mounted (not needed)"; else say "tracefs: not mounted (not needed)"; fi
