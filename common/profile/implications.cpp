#include "common/profile/implications.h"

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace tailor::common {
namespace {

constexpr uint64_t kCloneThread = 0x00010000;

struct Implied {
  std::string_view name;
  std::string_view reason;
};

bool creates_threads(const SyscallEntry& entry) {
  if (entry.name != "clone" && entry.name != "clone3") return false;
  // Flags not recorded could have made a thread; assuming one adds syscalls and breaks nothing.
  if (!entry.arg || !entry.arg->complete || entry.arg->values.empty()) return true;
  return std::any_of(entry.arg->values.begin(), entry.arg->values.end(),
                     [](const auto& value) { return (value.first & kCloneThread) != 0; });
}

constexpr std::array<Implied, 10> kThreadSyscalls = {{
    {"futex", "threads were created: a thread waits on a contended lock with futex"},
    {"exit",
     "threads were created: a thread ends with exit, which a recording that stops first "
     "does not show"},
    {"set_robust_list",
     "threads were created: glibc registers each new thread's robust futex "
     "list"},
    {"rseq", "threads were created: glibc registers each new thread's restartable sequence area"},
    {"mmap", "threads were created: glibc maps a new thread's stack unless it reuses a cached one"},
    {"mprotect", "threads were created: glibc sets up a new thread stack's guard page"},
    {"munmap", "threads were created: glibc frees cached thread stacks when the cache is full"},
    {"madvise", "threads were created: glibc gives back the memory of an ended thread's stack"},
    {"sched_yield", "threads were created: spinning locks yield when contended"},
    {"rt_sigprocmask",
     "threads were created: glibc blocks signals while it creates or ends a "
     "thread"},
}};

// Sleeps the kernel resumes through restart_syscall after a stop (ERESTART_RESTARTBLOCK):
// select, ppoll and epoll waits restart by calling themselves again, or fail with EINTR.
constexpr std::array<std::string_view, 6> kRestartableSleeps = {
    "nanosleep", "clock_nanosleep", "clock_nanosleep_time64", "poll", "futex", "futex_time64"};

constexpr Implied kRestart = {
    "restart_syscall",
    "a sleep with a timeout (nanosleep, clock_nanosleep, poll, futex) is resumed with "
    "restart_syscall when the process is stopped and continued: SIGSTOP, a debugger, a paused "
    "container"};

constexpr Implied kSigreturn = {
    "rt_sigreturn",
    "a signal handler may have been installed (rt_sigaction): returning from it calls "
    "rt_sigreturn, only once a signal arrives"};

class Implier {
 public:
  explicit Implier(std::set<std::string> recorded) : names_(std::move(recorded)) {}

  bool seen(std::string_view name) const { return names_.contains(std::string(name)); }

  void imply(const Implied& implied) {
    if (names_.insert(std::string(implied.name)).second) {
      added_.push_back({std::string(implied.name), std::string(implied.reason)});
    }
  }

  std::vector<AddedSyscall> take() { return std::move(added_); }

 private:
  std::set<std::string> names_;
  std::vector<AddedSyscall> added_;
};

}  // namespace

std::vector<AddedSyscall> implied_syscalls(const Report& report,
                                           const std::set<std::string>& also_allowed) {
  std::set<std::string> recorded = also_allowed;
  bool threads = false;
  for (const auto& entry : report.syscalls) {
    if (entry.phase == Phase::runtime_setup || entry.name.empty()) continue;
    recorded.insert(entry.name);
    threads = threads || creates_threads(entry);
  }
  Implier implier(std::move(recorded));
  if (threads) {
    for (const auto& implied : kThreadSyscalls) implier.imply(implied);
  }
  if (implier.seen("rt_sigaction")) implier.imply(kSigreturn);
  if (std::any_of(kRestartableSleeps.begin(), kRestartableSleeps.end(),
                  [&](std::string_view name) { return implier.seen(name); })) {
    implier.imply(kRestart);
  }
  return implier.take();
}

}  // namespace tailor::common
