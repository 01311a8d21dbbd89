// A workload with known syscalls, for the recorder tests. Each mode makes a
// distinctive set of raw syscalls (through syscall(2), so libc cannot swap
// them for others) and nothing else beyond process start-up and exit.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {

// Unusual calls a plain process never makes at start-up.
void probe() {
  syscall(SYS_getcpu, nullptr, nullptr, nullptr);
  syscall(SYS_sysinfo, nullptr);  // EFAULT: the call still enters
  syscall(SYS_getpriority, 0, 0);
  syscall(SYS_sched_getscheduler, 0);
  syscall(SYS_capget, nullptr, nullptr);
  syscall(SYS_getitimer, 0, nullptr);
  syscall(SYS_sched_rr_get_interval, 0, nullptr);
}

// 64 threads, each one call of a syscall nothing else here makes.
void threads(int count) {
  std::vector<std::thread> pool;
  for (int i = 0; i < count; ++i)
    pool.emplace_back([] { syscall(SYS_sched_getparam, 0, nullptr); });
  for (auto& t : pool) t.join();
}

// One thread pinned to each CPU this process may run on, all released at once, each making
// `calls` sched_getparam: one set counted from every CPU at the same time.
void every_cpu(int calls) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) std::exit(4);
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    pool.emplace_back([&go, cpu, calls] {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      if (sched_setaffinity(0, sizeof(one), &one) != 0) std::exit(5);
      while (!go.load()) {
      }
      for (int i = 0; i < calls; ++i) syscall(SYS_sched_getparam, 0, nullptr);
    });
  }
  go = true;
  for (auto& t : pool) t.join();
}

// Short-lived children, each making one getppid before it exits.
void forks(int count) {
  for (int i = 0; i < count; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      syscall(SYS_getppid);
      _exit(0);
    }
    if (pid < 0) std::exit(3);
    waitpid(pid, nullptr, 0);
  }
}

#if defined(__x86_64__)
// The ia32 entry from a 64-bit process: eax 20 is getpid there, writev natively.
long int80_getpid() {
  long ret;
  asm volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
  return ret;
}
#endif

// Plays a container runtime the way runc 1.1 starts a container, under a name
// no runtime has: it moves a child of its own into the container's cgroup; the
// child re-executes itself by path and then through an anonymous copy (a
// memfd), forks, installs a seccomp filter (unless "unfiltered"), and one of
// its threads executes the workload. Stages: fake-runtime <cgroup.procs>
// <workload> [unfiltered], then fake-runtime-copy and fake-runtime-init
// <workload> [unfiltered] in the child. Exits with the workload's status.
int fake_runtime(char** argv) {
  int go[2];
  if (pipe(go) != 0) return 5;
  const pid_t child = fork();
  if (child == 0) {
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(5);
    syscall(SYS_sched_getscheduler, 0);
    char* copy[] = {argv[0], const_cast<char*>("fake-runtime-copy"), argv[3], argv[4], nullptr};
    execv("/proc/self/exe", copy);
    _exit(6);
  }
  FILE* procs = std::fopen(argv[2], "w");
  if (child < 0 || procs == nullptr || std::fprintf(procs, "%d\n", child) < 0 ||
      std::fclose(procs) != 0)
    return 5;
  if (write(go[1], "x", 1) != 1) return 6;
  int status = 0;
  if (waitpid(child, &status, 0) != child) return 7;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int fake_runtime_copy(char** argv) {
  const pid_t child = fork();
  if (child == 0) _exit(syscall(SYS_getpriority, 0, 0) < 0 ? 1 : 0);
  if (child < 0 || waitpid(child, nullptr, 0) != child) return 5;
  const int copy = static_cast<int>(syscall(SYS_memfd_create, "runtime", 0));
  const int self = open("/proc/self/exe", O_RDONLY);
  if (copy < 0 || self < 0) return 6;
  char buffer[65536];
  for (ssize_t n; (n = read(self, buffer, sizeof(buffer))) > 0;)
    if (write(copy, buffer, n) != n) return 7;
  close(self);
  argv[1] = const_cast<char*>("fake-runtime-init");
  syscall(SYS_execveat, copy, "", argv, environ, AT_EMPTY_PATH);
  return 8;
}

int fake_runtime_init(char** argv) {
  const bool filtered = argv[3] == nullptr || std::strcmp(argv[3], "unfiltered") != 0;
  if (filtered) {
    sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    sock_fprog program = {1, &allow};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 5;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) return 6;
  }
  syscall(SYS_getitimer, 0, nullptr);
  // Not the main thread: exec keeps only the thread that calls it.
  std::thread([&] {
    char* workload[] = {argv[2], const_cast<char*>("baseline"), nullptr};
    execv(argv[2], workload);
    _exit(7);
  }).join();
  return 8;
}

// A runtime process moved into the cgroup by its parent while one of its
// threads makes calls without pause (sched_get_priority_max), which then
// executes the workload: moved-while-busy <cgroup.procs> <workload>. The spinner is stopped
// only once it has made a whole call after the move: on a loaded machine it may not have run
// at all between the move and the stop.
int moved_while_busy(char** argv) {
  int busy[2], go[2];
  if (pipe(busy) != 0 || pipe(go) != 0) return 5;
  const pid_t child = fork();
  if (child == 0) {
    std::atomic<bool> stop{false};
    std::atomic<unsigned> made{0};
    std::thread spinner([&] {
      if (write(busy[1], "x", 1) != 1) _exit(5);
      while (!stop) {
        syscall(SYS_sched_get_priority_max, SCHED_OTHER);
        ++made;
      }
    });
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(5);
    const unsigned moved_at = made;
    while (made < moved_at + 2) sched_yield();
    stop = true;
    spinner.join();
    char* workload[] = {argv[3], const_cast<char*>("baseline"), nullptr};
    execv(argv[3], workload);
    _exit(6);
  }
  char byte;
  if (child < 0 || read(busy[0], &byte, 1) != 1) return 5;
  FILE* procs = std::fopen(argv[2], "w");
  if (procs == nullptr || std::fprintf(procs, "%d\n", child) < 0 || std::fclose(procs) != 0)
    return 6;
  if (write(go[1], "x", 1) != 1) return 7;
  int status = 0;
  if (waitpid(child, &status, 0) != child) return 8;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Calls whose arguments the recorder keeps: two socket families, a
// socketpair, a personality query, a thread (clone3 on current glibc).
void args() {
  close(socket(AF_UNIX, SOCK_STREAM, 0));
  close(socket(AF_INET, SOCK_DGRAM, 0));
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0) close(pair[0]), close(pair[1]);
  personality(0xffffffff);
  std::thread([] {}).join();
}

// The probe, then one more syscall (by number): exit 0 when it ran, 1 for
// EPERM, 2 for ENOSYS, 3 for anything else. For "the profile denies what was
// never recorded".
int probe_then(long nr) {
  probe();
  if (syscall(nr, 0, 0, 0) >= 0) return 0;
  return errno == EPERM ? 1 : errno == ENOSYS ? 2 : 3;
}

// Opens a socket of one family: exit 0 when allowed, 1 for EPERM, 3 otherwise.
int open_socket(int family) {
  const int fd = socket(family, family == AF_PACKET ? SOCK_RAW : SOCK_DGRAM, 0);
  if (fd >= 0) return close(fd), 0;
  return errno == EPERM ? 1 : 3;
}

// Threads that contend, wait, sleep and take signals: the syscalls that show
// up only when timing says so (futex waits, rt_sigreturn, restart_syscall).
int busy_threads(int count) {
  std::mutex mutex;
  std::condition_variable ready;
  int done = 0;
  signal(SIGALRM, [](int) {});
  std::vector<std::thread> pool;
  for (int i = 0; i < count; ++i) {
    pool.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        std::unique_lock lock(mutex);
        ++done;
        ready.notify_all();
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    });
  }
  alarm(1);
  {
    std::unique_lock lock(mutex);
    ready.wait(lock, [&] { return done == count * 200; });
  }
  for (auto& t : pool) t.join();
  alarm(0);
  return 0;
}

// Repeats the probe until killed, for recordings that attach to a running workload.
[[noreturn]] void probe_loop() {
  for (;;) {
    probe();
    usleep(20'000);
  }
}

// About `per_second` cheap syscalls a second, until killed: load for benchmarks.
[[noreturn]] void steady(int per_second) {
  const int per_tick = per_second > 10 ? per_second / 10 : 1;
  for (;;) {
    for (int i = 0; i < per_tick; ++i) syscall(SYS_getppid);
    usleep(100'000);
  }
}

// Makes syscall `nr` `count` times, surviving a SIGSYS (a seccomp TRAP).
int call(long nr, int count) {
  struct sigaction ignore {};
  ignore.sa_handler = [](int) {};
  sigaction(SIGSYS, &ignore, nullptr);
  for (int i = 0; i < count; ++i) syscall(nr, 0, nullptr);
  return 0;
}

// Opens a file that does not exist `count` times: a call that fails (ENOENT) without any
// filter's doing.
int open_missing(int count) {
  for (int i = 0; i < count; ++i)
    if (open("/nonexistent/tailor-test", O_RDONLY) >= 0 || errno != ENOENT) return 1;
  return 0;
}

// Makes syscall `nr` once from a second thread, then exits 0 if the process lived on.
int call_in_thread(long nr) {
  std::thread([nr] { syscall(nr, 0, nullptr); }).join();
  return 0;
}

// Calls each number from `first` to `last` `count` times and exits 0 if every one was ENOSYS:
// numbers no syscall has, more distinct calls than a cache page has counters for.
int unused_numbers(int count, long first, long last) {
  for (long nr = first; nr <= last; ++nr)
    for (int i = 0; i < count; ++i)
      if (syscall(nr, 0, nullptr) != -1 || errno != ENOSYS) return 1;
  return 0;
}

// Spins on one syscall until killed, for "outside the cgroup" noise.
[[noreturn]] void spin(long nr) {
  for (;;) syscall(nr, 0, nullptr);
}

// Makes each listed syscall (numbers, comma-separated) with zero arguments, ten times a second,
// until killed: a workload whose calls a test knows exactly. Only calls that are harmless with
// zero arguments belong in the list.
[[noreturn]] void call_loop(const char* list) {
  std::vector<long> numbers;
  for (const char* at = list; *at != '\0';) {
    char* end = nullptr;
    const long nr = std::strtol(at, &end, 10);
    if (end == at || (*end != ',' && *end != '\0')) _exit(2);
    numbers.push_back(nr);
    at = *end == ',' ? end + 1 : end;
  }
  for (;;) {
    for (const long nr : numbers) syscall(nr, 0, 0, 0, 0, 0, 0);
    usleep(100000);
  }
}

// Installs the classic BPF program in `program_file` (raw sock_filter records) as a seccomp
// filter, then makes each call ("nr,arg,..." numbers, up to six arguments) and prints the
// install's errno and each call's (0: it succeeded), one a line. For the seccomp filter tests
// of an instrumented build: the sanitizer runtime's own calls would be refused by the filter.
int filtered_calls(int argc, char** argv) {
  std::vector<sock_filter> program(64 * 1024);
  FILE* in = std::fopen(argv[2], "rb");
  if (in == nullptr) return 3;
  program.resize(std::fread(program.data(), sizeof(sock_filter), program.size(), in));
  std::fclose(in);
  std::vector<std::vector<unsigned long>> calls;
  for (int i = 3; i < argc; ++i) {
    std::vector<unsigned long> call;
    for (char* at = argv[i]; *at != '\0';) {
      call.push_back(std::strtoul(at, &at, 0));
      if (*at == ',') ++at;
    }
    call.resize(7);
    calls.push_back(call);
  }
  char line[32];
  auto report = [&](int error) {
    const int length = std::snprintf(line, sizeof line, "%d\n", error);
    return write(STDOUT_FILENO, line, static_cast<size_t>(length)) == length;
  };
  int installed = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? 0 : errno;
  const sock_fprog fprog{static_cast<unsigned short>(program.size()), program.data()};
  if (installed == 0 && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
    installed = errno;
  if (!report(installed) || installed != 0) return 1;
  for (const auto& c : calls) {
    const long rc = syscall(static_cast<long>(c[0]), c[1], c[2], c[3], c[4], c[5], c[6]);
    const int error = rc < 0 ? errno : 0;
    // A clone's child returns 0: it ends here and the parent reaps it.
    if (rc == 0 && (c[0] == SYS_clone || c[0] == SYS_clone3)) _exit(0);
    if (rc > 0 && (c[0] == SYS_clone || c[0] == SYS_clone3))
      waitpid(static_cast<pid_t>(rc), nullptr, 0);
    if (!report(error)) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* mode = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2]) : 0;
  if (std::strcmp(mode, "baseline") == 0) return 0;
  if (std::strcmp(mode, "probe") == 0) return probe(), 0;
  if (std::strcmp(mode, "unused-numbers") == 0 && argc >= 5)
    return unused_numbers(n, std::atol(argv[3]), std::atol(argv[4]));
  if (std::strcmp(mode, "threads") == 0) return threads(n), 0;
  if (std::strcmp(mode, "every-cpu") == 0) return every_cpu(n), 0;
  if (std::strcmp(mode, "forks") == 0) return forks(n), 0;
  if (std::strcmp(mode, "exit") == 0) return n;
#if defined(__x86_64__)
  if (std::strcmp(mode, "int80") == 0) return int80_getpid() > 0 ? 0 : 4;
#endif
  if (std::strcmp(mode, "spin") == 0) spin(n);
  if (std::strcmp(mode, "steady") == 0) steady(n);
  if (std::strcmp(mode, "probe-loop") == 0) probe_loop();
  if (std::strcmp(mode, "fake-runtime") == 0 && argc >= 4) return fake_runtime(argv);
  if (std::strcmp(mode, "fake-runtime-copy") == 0 && argc >= 3) return fake_runtime_copy(argv);
  if (std::strcmp(mode, "fake-runtime-init") == 0 && argc >= 3) return fake_runtime_init(argv);
  if (std::strcmp(mode, "moved-while-busy") == 0 && argc >= 4) return moved_while_busy(argv);
  if (std::strcmp(mode, "args") == 0) return args(), 0;
  if (std::strcmp(mode, "probe-then") == 0) return probe_then(n);
  if (std::strcmp(mode, "socket") == 0) return open_socket(n);
  if (std::strcmp(mode, "busy-threads") == 0) return busy_threads(n);
  if (std::strcmp(mode, "call-loop") == 0 && argc >= 3) call_loop(argv[2]);
  if (std::strcmp(mode, "call") == 0 && argc >= 4) return call(n, std::atoi(argv[3]));
  if (std::strcmp(mode, "call-in-thread") == 0) return call_in_thread(n);
  if (std::strcmp(mode, "filtered-calls") == 0 && argc >= 3) return filtered_calls(argc, argv);
  if (std::strcmp(mode, "open-missing") == 0) return open_missing(n);
  return 2;
}
