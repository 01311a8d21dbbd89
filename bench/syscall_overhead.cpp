// Added cost per syscall of Tailor's recorder, measured in one run so the
// ratios compare like with like on a noisy machine:
//   none      no program on sys_enter
//   floor     an attached program that does nothing (the hook's own cost)
//   tracked   the recorder, tracking the loop's cgroup
//   tracked+200  the same while 200 other cgroups are tracked too
//   untracked the recorder loaded, the loop's cgroup not tracked (what every
//             other process on the node pays)
// and then, for a loop under a seccomp filter, the recorder with its denial hooks
// detached, attached, and attached with the ERRNO hook on sys_exit.
// Configurations are interleaved over rounds; each figure is the median round.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/recorder.h"
#include "hook_floor.skel.h"

namespace {

using tailor::agent::Cgroup2;
using tailor::agent::OwnedCgroup;
using tailor::agent::Recorder;

double ns_per_call(long iterations) {
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) syscall(SYS_getppid);
  const auto end = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(end - start).count() /
         static_cast<double>(iterations);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  std::exit(1);
}

void move_self(const Cgroup2& cgroups, const std::string& path) {
  FILE* procs = std::fopen(cgroups.absolute(path + "/cgroup.procs").c_str(), "w");
  if (procs == nullptr || std::fprintf(procs, "%d\n", getpid()) < 0 || std::fclose(procs) != 0)
    die("cannot move the benchmark into cgroup " + path);
}

// The programs' own run time as the kernel accounts it (BPF run-time stats):
// less exposed to the noise of other processes than the loop's wall clock,
// but it leaves out the hook's own cost, which the floor row shows.
void print_program_time(long iterations, uint64_t loop_id, const std::vector<uint64_t>& others) {
  const int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (stats_fd < 0) {
    std::printf("program run time: unavailable (bpf_enable_stats: %s)\n", std::strerror(errno));
    return;
  }
  const auto per_call = [](uint64_t ns, uint64_t count) {
    return count ? double(ns) / double(count) : 0.0;
  };
  std::printf("program run time per call (kernel BPF stats, %ld calls):\n", iterations);
  {
    hook_floor* skel = hook_floor__open_and_load();
    if (skel == nullptr || hook_floor__attach(skel) != 0) die("cannot attach the floor program");
    ns_per_call(iterations);
    bpf_prog_info info{};
    uint32_t length = sizeof(info);
    bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.tailor_floor_sys_enter), &info, &length);
    std::printf("  %-12s %8.1f ns\n", "floor", per_call(info.run_time_ns, info.run_cnt));
    hook_floor__destroy(skel);
  }
  for (const char* name : {"untracked", "tracked", "tracked+200"}) {
    auto rec = Recorder::open({});
    if (!rec) die(rec.error().message);
    if (std::strcmp(name, "untracked") != 0) {
      if (!(*rec)->track(loop_id, TAILOR_TRACK_AGGREGATE)) die("track failed");
      if (std::strcmp(name, "tracked+200") == 0)
        for (uint64_t id : others)
          if (!(*rec)->track(id, TAILOR_TRACK_AGGREGATE)) die("track failed");
    }
    ns_per_call(iterations / 20);  // resolve and warm the cache before counting
    const auto before = (*rec)->program_stats();
    ns_per_call(iterations);
    const auto after = (*rec)->program_stats();
    std::printf(
        "  %-12s %8.1f ns\n", name,
        per_call(after.run_time_ns - before.run_time_ns, after.run_count - before.run_count));
  }
  close(stats_fd);
}

// The denial hooks' cost on the calls a filter allows: a child under a filter that allows
// everything but one call (which it never makes) runs the loop, tracked, with the recorder's
// denial hooks detached, attached, and attached with the ERRNO hook on sys_exit, in turn.
void print_denial_hook_cost(long iterations, int rounds, uint64_t loop_id) {
  int ask[2], answer[2];
  if (pipe(ask) != 0 || pipe(answer) != 0) die("pipe failed");
  const pid_t child = fork();
  if (child < 0) die("fork failed");
  if (child == 0) {
    close(ask[1]);
    close(answer[0]);
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
    if (filter == nullptr ||
        seccomp_rule_add(filter, SCMP_ACT_KILL_PROCESS, SCMP_SYS(sched_get_priority_min), 0) != 0 ||
        seccomp_load(filter) != 0)
      _exit(1);
    for (long n; read(ask[0], &n, sizeof(n)) == sizeof(n);) {
      const double ns = ns_per_call(n);
      if (write(answer[1], &ns, sizeof(ns)) != sizeof(ns)) _exit(1);
    }
    _exit(0);
  }
  close(ask[0]);
  close(answer[1]);
  const auto measure = [&](long n) {
    double ns = 0;
    if (write(ask[1], &n, sizeof(n)) != sizeof(n) || read(answer[0], &ns, sizeof(ns)) != sizeof(ns))
      die("the filtered loop died");
    return ns;
  };
  enum Hooks { detached, attached, with_errno, kConfigs };
  std::map<int, std::vector<double>> samples;
  measure(iterations / 4);  // warm-up
  for (int round = 0; round < rounds; ++round) {
    // Rotating which goes first keeps the previous recorder's teardown out of one side.
    for (int i = 0; i < kConfigs; ++i) {
      const int hooks = (round + i) % kConfigs;
      tailor::agent::RecorderOptions options;
      options.watch_denials = hooks != detached;
      auto rec = Recorder::open(options);
      if (!rec) die(rec.error().message);
      if (!(*rec)->track(loop_id, TAILOR_TRACK_AGGREGATE)) die("track failed");
      if (hooks == with_errno && !(*rec)->watch_errno_denials(true))
        die("cannot attach the ERRNO hook");
      measure(iterations / 20);
      samples[hooks].push_back(measure(iterations));
    }
  }
  close(ask[1]);
  waitpid(child, nullptr, 0);
  const double none = median(samples[detached]);
  std::printf("under an allow-all-but-one seccomp filter, tracked, median round:\n");
  std::printf("  %-30s %10.1f ns/call\n", "denial hooks detached", none);
  for (const auto& [hooks, name] : {std::pair{attached, "signal+exit hooks attached"},
                                    std::pair{with_errno, "and the ERRNO hook (sys_exit)"}}) {
    const double ns = median(samples[hooks]);
    std::printf("  %-30s %10.1f ns/call  (%+.1f%%)\n", name, ns, 100.0 * (ns - none) / none);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 2'000'000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
  if (geteuid() != 0) die("needs root (loads BPF programs and creates cgroups)");

  auto cgroups = Cgroup2::detect();
  if (!cgroups) die(cgroups.error().message);
  const std::string base = "/tailor-bench-" + std::to_string(getpid());
  if (!cgroups->create(base + "/loop"))
    die("cannot create cgroups under " + cgroups->mount().string());
  OwnedCgroup owned(*cgroups, base);
  // Move ourselves into the loop's cgroup so "tracked" covers this thread, and
  // back out before the cgroups are destroyed (which kills what is inside).
  const auto home = cgroups->path_of_pid(getpid());
  if (!home) die(home.error().message);
  move_self(*cgroups, base + "/loop");
  std::vector<uint64_t> others;
  for (int i = 0; i < 200; ++i) {
    const std::string path = base + "/other-" + std::to_string(i);
    if (!cgroups->create(path)) die("cannot create " + path);
    others.push_back(*cgroups->id_of(path));
  }
  const uint64_t loop_id = *cgroups->id_of(base + "/loop");

  using Setup = std::function<std::function<void()>()>;  // returns its teardown
  const std::vector<std::pair<std::string, Setup>> configs = {
      {"none", [] { return [] {}; }},
      {"floor",
       [] {
         hook_floor* skel = hook_floor__open_and_load();
         if (skel == nullptr || hook_floor__attach(skel) != 0)
           die("cannot attach the floor program");
         return std::function<void()>([skel] { hook_floor__destroy(skel); });
       }},
      {"untracked",
       [] {
         auto rec = Recorder::open({});
         if (!rec) die(rec.error().message);
         auto* raw = rec->release();
         return std::function<void()>([raw] { delete raw; });
       }},
      {"tracked",
       [&] {
         auto rec = Recorder::open({});
         if (!rec) die(rec.error().message);
         if (!(*rec)->track(loop_id, TAILOR_TRACK_AGGREGATE)) die("track failed");
         auto* raw = rec->release();
         return std::function<void()>([raw] { delete raw; });
       }},
      {"tracked+200",
       [&] {
         auto rec = Recorder::open({});
         if (!rec) die(rec.error().message);
         for (uint64_t id : others)
           if (!(*rec)->track(id, TAILOR_TRACK_AGGREGATE)) die("track failed");
         if (!(*rec)->track(loop_id, TAILOR_TRACK_AGGREGATE)) die("track failed");
         auto* raw = rec->release();
         return std::function<void()>([raw] { delete raw; });
       }},
  };

  std::map<std::string, std::vector<double>> samples;
  ns_per_call(iterations / 4);  // warm-up
  for (int round = 0; round < rounds; ++round) {
    for (const auto& [name, setup] : configs) {
      auto teardown = setup();
      ns_per_call(iterations / 20);
      samples[name].push_back(ns_per_call(iterations));
      teardown();
    }
  }

  const double none = median(samples["none"]);
  const double floor_ns = median(samples["floor"]);
  std::printf("syscall overhead: getppid loop, %ld calls x %d rounds, median round\n", iterations,
              rounds);
  std::printf("%-12s %10s %12s %16s\n", "config", "ns/call", "x none", "above floor");
  for (const auto& [name, setup] : configs) {
    const double ns = median(samples[name]);
    std::printf("%-12s %10.1f %12.3f %+15.1f%%\n", name.c_str(), ns, ns / none,
                name == "none" ? 0.0 : 100.0 * (ns - floor_ns) / none);
  }
  std::printf("target: tracked costs at most 10%% of the no-tracer syscall above the floor\n");
  print_program_time(iterations, loop_id, others);
  print_denial_hook_cost(iterations, rounds, loop_id);
  std::printf("reproduce: sudo %s %ld %d\n", argv[0], iterations, rounds);
  std::fflush(stdout);
  move_self(*cgroups, *home);
  return 0;
}
