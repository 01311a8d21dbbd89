#include "common/syscalls/categories.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/util/enum_names.h"

namespace tailor::common {
namespace {

constexpr EnumNames<Category, 8> kCategoryNames = {{
    {Category::file, "file"},
    {Category::network, "network"},
    {Category::process, "process"},
    {Category::memory, "memory"},
    {Category::ipc, "ipc"},
    {Category::time, "time"},
    {Category::security_sensitive, "security-sensitive"},
    {Category::other, "other"},
}};

constexpr auto kCategories = enum_values(kCategoryNames);

struct SensitiveCall {
  std::string_view name;
  std::string_view why;
};

// Why each is sensitive, in one line a report shows beside the call.
constexpr SensitiveCall kSecuritySensitive[] = {
    {"acct", "turns process accounting on or off for the whole host"},
    {"add_key", "adds keys to the kernel keyring, which is not namespaced"},
    {"bpf", "loads programs into the kernel and reads kernel memory through maps"},
    {"chroot", "changes the root directory, a step in escaping a container's filesystem"},
    {"clock_settime", "sets the host's clock, for every container on it"},
    {"create_module", "loads a kernel module (obsolete)"},
    {"delete_module", "unloads a kernel module from the host kernel"},
    {"fanotify_init", "watches file access across whole mounts, beyond the container"},
    {"finit_module", "loads a kernel module into the host kernel"},
    {"fsconfig", "configures a filesystem to mount (new mount API)"},
    {"fsmount", "mounts a filesystem (new mount API)"},
    {"fsopen", "opens a filesystem to mount (new mount API)"},
    {"fspick", "reconfigures a mounted filesystem (new mount API)"},
    {"get_kernel_syms", "reads the kernel's symbol table (obsolete)"},
    {"init_module", "loads a kernel module into the host kernel"},
    {"io_uring_enter",
     "io_uring makes syscalls that seccomp never sees, and has a history of kernel bugs"},
    {"io_uring_register",
     "io_uring makes syscalls that seccomp never sees, and has a history of kernel bugs"},
    {"io_uring_setup",
     "io_uring makes syscalls that seccomp never sees, and has a history of kernel bugs"},
    {"ioperm", "gives direct access to hardware I/O ports"},
    {"iopl", "gives direct access to all hardware I/O ports"},
    {"kcmp", "compares other processes' kernel state, revealing kernel addresses"},
    {"kexec_file_load", "replaces the running host kernel"},
    {"kexec_load", "replaces the running host kernel"},
    {"keyctl", "manages the kernel keyring, which is not namespaced"},
    {"lookup_dcookie", "reads kernel profiling data"},
    {"mount", "mounts filesystems, which can hide or expose the host's files"},
    {"mount_setattr", "changes mount flags (read-only, nosuid, idmap)"},
    {"move_mount", "moves mounts (new mount API)"},
    {"name_to_handle_at",
     "makes file handles that open_by_handle_at can open past the container's root"},
    {"nfsservctl", "controls the kernel NFS server (removed)"},
    {"open_by_handle_at", "opens files by handle, past the container's root (the shocker escape)"},
    {"open_tree", "clones mount trees (new mount API)"},
    {"pciconfig_iobase", "reads PCI hardware configuration"},
    {"pciconfig_read", "reads PCI hardware configuration"},
    {"pciconfig_write", "writes PCI hardware configuration"},
    {"perf_event_open", "profiles the kernel and other processes, a large attack surface"},
    {"personality", "changes execution domain, used to turn off address space randomisation"},
    {"pidfd_getfd", "takes file descriptors from another process"},
    {"pivot_root", "changes the root filesystem, a step in escaping a container's filesystem"},
    {"process_madvise", "changes another process's memory handling"},
    {"process_vm_readv", "reads another process's memory"},
    {"process_vm_writev", "writes another process's memory"},
    {"ptrace", "reads and changes other processes, and bypasses seccomp on old kernels"},
    {"query_module", "reads kernel module data (obsolete)"},
    {"quotactl", "changes disk quotas of the host's filesystems"},
    {"quotactl_fd", "changes disk quotas of the host's filesystems"},
    {"reboot", "reboots the host or loads a new kernel"},
    {"request_key", "reads keys from the kernel keyring, which is not namespaced"},
    {"setns", "joins other namespaces, possibly the host's"},
    {"settimeofday", "sets the host's clock, for every container on it"},
    {"stime", "sets the host's clock, for every container on it"},
    {"swapoff", "turns swap off for the whole host"},
    {"swapon", "turns swap on for the whole host"},
    {"syslog", "reads the kernel log, which leaks kernel addresses"},
    {"umount", "unmounts filesystems, which can expose what a mount hid"},
    {"umount2", "unmounts filesystems, which can expose what a mount hid"},
    {"unshare", "creates namespaces, the door to user namespaces' wider kernel surface"},
    {"uselib", "loads a shared library the old way, a past source of kernel bugs"},
    {"userfaultfd", "handles page faults in user space, used to widen kernel race windows"},
    {"vhangup", "hangs up the terminal of other processes"},
    {"vm86", "enters virtual 8086 mode, a past source of kernel bugs"},
    {"vm86old", "enters virtual 8086 mode, a past source of kernel bugs"},
};

constexpr std::string_view kFile[] = {"_llseek",
                                      "_newselect",
                                      "access",
                                      "arm_fadvise64_64",
                                      "arm_sync_file_range",
                                      "cachestat",
                                      "chdir",
                                      "chmod",
                                      "chown",
                                      "close",
                                      "close_range",
                                      "copy_file_range",
                                      "creat",
                                      "dup",
                                      "dup2",
                                      "dup3",
                                      "epoll_create",
                                      "epoll_create1",
                                      "epoll_ctl",
                                      "epoll_ctl_old",
                                      "epoll_pwait",
                                      "epoll_pwait2",
                                      "epoll_wait",
                                      "epoll_wait_old",
                                      "faccessat",
                                      "faccessat2",
                                      "fadvise64",
                                      "fadvise64_64",
                                      "fallocate",
                                      "fanotify_mark",
                                      "fchdir",
                                      "fchmod",
                                      "fchmodat",
                                      "fchmodat2",
                                      "fchown",
                                      "fchownat",
                                      "fcntl",
                                      "fdatasync",
                                      "fgetxattr",
                                      "flistxattr",
                                      "flock",
                                      "fremovexattr",
                                      "fsetxattr",
                                      "fstat",
                                      "fstatat64",
                                      "fstatfs",
                                      "fsync",
                                      "ftruncate",
                                      "futimesat",
                                      "getcwd",
                                      "getdents",
                                      "getdents64",
                                      "getxattr",
                                      "inotify_add_watch",
                                      "inotify_init",
                                      "inotify_init1",
                                      "inotify_rm_watch",
                                      "io_cancel",
                                      "io_destroy",
                                      "io_getevents",
                                      "io_pgetevents",
                                      "io_setup",
                                      "io_submit",
                                      "ioctl",
                                      "lchown",
                                      "lgetxattr",
                                      "link",
                                      "linkat",
                                      "listxattr",
                                      "llistxattr",
                                      "lremovexattr",
                                      "lseek",
                                      "lsetxattr",
                                      "lstat",
                                      "mkdir",
                                      "mkdirat",
                                      "mknod",
                                      "mknodat",
                                      "newfstatat",
                                      "oldfstat",
                                      "oldlstat",
                                      "oldstat",
                                      "open",
                                      "openat",
                                      "openat2",
                                      "poll",
                                      "ppoll",
                                      "pread64",
                                      "preadv",
                                      "preadv2",
                                      "pselect6",
                                      "pwrite64",
                                      "pwritev",
                                      "pwritev2",
                                      "read",
                                      "readahead",
                                      "readdir",
                                      "readlink",
                                      "readlinkat",
                                      "readv",
                                      "removexattr",
                                      "rename",
                                      "renameat",
                                      "renameat2",
                                      "rmdir",
                                      "select",
                                      "sendfile",
                                      "setxattr",
                                      "splice",
                                      "stat",
                                      "statfs",
                                      "statx",
                                      "symlink",
                                      "symlinkat",
                                      "sync",
                                      "sync_file_range",
                                      "sync_file_range2",
                                      "syncfs",
                                      "tee",
                                      "truncate",
                                      "umask",
                                      "unlink",
                                      "unlinkat",
                                      "utime",
                                      "utimensat",
                                      "utimes",
                                      "vmsplice",
                                      "write",
                                      "writev"};

constexpr std::string_view kNetwork[] = {
    "accept",  "accept4", "bind",       "connect",  "getpeername", "getsockname", "getsockopt",
    "listen",  "recv",    "recvfrom",   "recvmmsg", "recvmsg",     "send",        "sendmmsg",
    "sendmsg", "sendto",  "setsockopt", "shutdown", "socket",      "socketcall",  "socketpair"};

constexpr std::string_view kProcess[] = {"arch_prctl",
                                         "capget",
                                         "capset",
                                         "clone",
                                         "clone3",
                                         "execve",
                                         "execveat",
                                         "exit",
                                         "exit_group",
                                         "fork",
                                         "get_robust_list",
                                         "get_thread_area",
                                         "getcpu",
                                         "getegid",
                                         "geteuid",
                                         "getgid",
                                         "getgroups",
                                         "getpgid",
                                         "getpgrp",
                                         "getpid",
                                         "getppid",
                                         "getpriority",
                                         "getresgid",
                                         "getresuid",
                                         "getrlimit",
                                         "getrusage",
                                         "getsid",
                                         "gettid",
                                         "getuid",
                                         "ioprio_get",
                                         "ioprio_set",
                                         "kill",
                                         "landlock_add_rule",
                                         "landlock_create_ruleset",
                                         "landlock_restrict_self",
                                         "modify_ldt",
                                         "nice",
                                         "pause",
                                         "pidfd_open",
                                         "pidfd_send_signal",
                                         "prctl",
                                         "prlimit64",
                                         "process_mrelease",
                                         "restart_syscall",
                                         "rseq",
                                         "rt_sigaction",
                                         "rt_sigpending",
                                         "rt_sigprocmask",
                                         "rt_sigqueueinfo",
                                         "rt_sigreturn",
                                         "rt_sigsuspend",
                                         "rt_sigtimedwait",
                                         "rt_tgsigqueueinfo",
                                         "sched_get_priority_max",
                                         "sched_get_priority_min",
                                         "sched_getaffinity",
                                         "sched_getattr",
                                         "sched_getparam",
                                         "sched_getscheduler",
                                         "sched_rr_get_interval",
                                         "sched_setaffinity",
                                         "sched_setattr",
                                         "sched_setparam",
                                         "sched_setscheduler",
                                         "sched_yield",
                                         "seccomp",
                                         "set_robust_list",
                                         "set_thread_area",
                                         "set_tid_address",
                                         "setfsgid",
                                         "setfsuid",
                                         "setgid",
                                         "setgroups",
                                         "setpgid",
                                         "setpriority",
                                         "setregid",
                                         "setresgid",
                                         "setresuid",
                                         "setreuid",
                                         "setrlimit",
                                         "setsid",
                                         "setuid",
                                         "sgetmask",
                                         "sigaction",
                                         "sigaltstack",
                                         "signal",
                                         "sigpending",
                                         "sigprocmask",
                                         "sigreturn",
                                         "sigsuspend",
                                         "ssetmask",
                                         "tgkill",
                                         "tkill",
                                         "ugetrlimit",
                                         "vfork",
                                         "wait4",
                                         "waitid",
                                         "waitpid"};

constexpr std::string_view kMemory[] = {"brk",
                                        "cacheflush",
                                        "get_mempolicy",
                                        "madvise",
                                        "map_shadow_stack",
                                        "mbind",
                                        "membarrier",
                                        "memfd_create",
                                        "memfd_secret",
                                        "migrate_pages",
                                        "mincore",
                                        "mlock",
                                        "mlock2",
                                        "mlockall",
                                        "mmap",
                                        "mmap2",
                                        "move_pages",
                                        "mprotect",
                                        "mremap",
                                        "mseal",
                                        "msync",
                                        "munlock",
                                        "munlockall",
                                        "munmap",
                                        "pkey_alloc",
                                        "pkey_free",
                                        "pkey_mprotect",
                                        "remap_file_pages",
                                        "riscv_flush_icache",
                                        "set_mempolicy",
                                        "set_mempolicy_home_node"};

constexpr std::string_view kIpc[] = {
    "eventfd",      "eventfd2",  "futex",         "futex_requeue", "futex_wait", "futex_waitv",
    "futex_wake",   "ipc",       "mq_getsetattr", "mq_notify",     "mq_open",    "mq_timedreceive",
    "mq_timedsend", "mq_unlink", "msgctl",        "msgget",        "msgrcv",     "msgsnd",
    "pipe",         "pipe2",     "semctl",        "semget",        "semop",      "semtimedop",
    "shmat",        "shmctl",    "shmdt",         "shmget",        "signalfd",   "signalfd4"};

constexpr std::string_view kTime[] = {"adjtimex",
                                      "alarm",
                                      "clock_adjtime",
                                      "clock_getres",
                                      "clock_gettime",
                                      "clock_nanosleep",
                                      "getitimer",
                                      "gettimeofday",
                                      "nanosleep",
                                      "setitimer",
                                      "time",
                                      "timer_create",
                                      "timer_delete",
                                      "timer_getoverrun",
                                      "timer_gettime",
                                      "timer_settime",
                                      "timerfd_create",
                                      "timerfd_gettime",
                                      "timerfd_settime",
                                      "times"};

const std::unordered_map<std::string_view, Category>& category_table() {
  static const auto table = [] {
    std::unordered_map<std::string_view, Category> out;
    const auto add = [&out](std::span<const std::string_view> names, Category category) {
      for (std::string_view name : names) out.emplace(name, category);
    };
    for (const auto& call : kSecuritySensitive)
      out.emplace(call.name, Category::security_sensitive);
    add(kFile, Category::file);
    add(kNetwork, Category::network);
    add(kProcess, Category::process);
    add(kMemory, Category::memory);
    add(kIpc, Category::ipc);
    add(kTime, Category::time);
    return out;
  }();
  return table;
}

std::optional<Category> lookup(std::string_view name) {
  const auto& table = category_table();
  const auto it = table.find(name);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::span<const Category> all_categories() { return kCategories; }

std::string_view category_name(Category category) { return enum_name(kCategoryNames, category); }

Result<Category> parse_category(std::string_view name) {
  return parse_enum(kCategoryNames, name, "category");
}

Category category_of(std::string_view syscall) {
  // 32-bit arches name their variants of a call by a suffix (chown32, fstat64,
  // clock_gettime64, futex_time64), so those are found by the base name.
  if (const auto category = lookup(syscall)) return *category;
  for (std::string_view suffix : {"_time64", "64", "32"}) {
    if (syscall.ends_with(suffix)) {
      if (const auto category = lookup(syscall.substr(0, syscall.size() - suffix.size()))) {
        return *category;
      }
    }
  }
  return Category::other;
}

bool is_security_sensitive(std::string_view syscall) {
  return category_of(syscall) == Category::security_sensitive;
}

std::string_view sensitivity_reason(std::string_view syscall) {
  for (std::string_view suffix : {"", "_time64", "64", "32"}) {
    if (!syscall.ends_with(suffix)) continue;
    const std::string_view base = syscall.substr(0, syscall.size() - suffix.size());
    for (const auto& call : kSecuritySensitive) {
      if (call.name == base) return call.why;
    }
  }
  return {};
}

}  // namespace tailor::common
