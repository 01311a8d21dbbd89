// Added cost per syscall of Tailor's recorder, measured in one run so the
// ratios compare like with like on a noisy machine:
//   none      no program on sys_enter
//   floor     an attached program that does nothing (the hook's own cost)
//   untracked the recorder tracking 200 other cgroups, not the loop's (what every
//             other process on the node pays)
//   tracked   the recorder, tracking the loop's cgroup
//   tracked+200  the same while 200 other cgroups are tracked too
//   ... xN    the same with one loop on each CPU, all in the one tracked set
// and then, for a loop under a seccomp filter, the recorder with its denial hooks
// detached, attached, and attached with the ERRNO hook on sys_exit.
// Configurations are interleaved over rounds, in an order that rotates; each figure is the
// median round, by the wall clock and by the kernel's BPF run-time stats, and the cost above
// the floor is taken within each round, against that round's own floor.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <latch>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/recorder.h"
#include "hook_floor.skel.h"

namespace {

using tailor::agent::Cgroup2;
using tailor::agent::OwnedCgroup;
using tailor::agent::Recorder;

// The value a quarter (0.25), half or three quarters of the way through the sorted values.
double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

double median(std::vector<double> values) { return quantile(std::move(values), 0.5); }

// A 95 % interval of the median, from the order statistics (the median's rank is binomial, so
// no assumption about the rounds' distribution): what a target is judged against, since the
// host's noise makes any one round's figure several points wide.
std::pair<double, double> median_interval(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  const double half_width = 0.98 * std::sqrt(n);
  const auto rank = [&](double r) { return static_cast<size_t>(std::clamp(r, 0.0, n - 1)); };
  return {values[rank(std::floor(n / 2 - half_width))],
          values[rank(std::ceil(n / 2 + half_width) - 1)]};
}

// The median over chunks of 1,000 calls (about a millisecond): a stretch the host took the
// CPU away for slows a few chunks, not the figure.
double ns_per_call(long iterations) {
  constexpr long kChunk = 1000;
  std::vector<double> chunks;
  for (long done = 0; done < iterations; done += kChunk) {
    const long calls = std::min(kChunk, iterations - done);
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < calls; ++i) syscall(SYS_getppid);
    const auto end = std::chrono::steady_clock::now();
    chunks.push_back(std::chrono::duration<double, std::nano>(end - start).count() /
                     static_cast<double>(calls));
  }
  return quantile(std::move(chunks), 0.5);
}

// The same loop in `threads` threads, one pinned to each CPU, started together: the mean of
// their ns/call. The threads share the process's cgroup, so a tracked run counts every call
// of every thread in the same set.
double ns_per_call(long iterations, int threads) {
  if (threads == 1) return ns_per_call(iterations);
  std::vector<double> results(threads);
  std::latch start(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      cpu_set_t cpus;
      CPU_ZERO(&cpus);
      CPU_SET(t % std::thread::hardware_concurrency(), &cpus);
      sched_setaffinity(0, sizeof(cpus), &cpus);
      start.arrive_and_wait();
      results[t] = ns_per_call(iterations);
    });
  for (auto& worker : workers) worker.join();
  double sum = 0;
  for (double r : results) sum += r;
  return sum / threads;
}

double spread(const std::vector<double>& values) {
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  return *high - *low;
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

  // What a configuration leaves attached: how to read its program's run-time stats (none for
  // "none") and how to take it down.
  struct Attached {
    std::function<Recorder::ProgramStats()> stats;
    std::function<void()> teardown;
  };
  const auto recorder = [&](bool track_loop, bool track_others) {
    auto rec = Recorder::open({});
    if (!rec) die(rec.error().message);
    if (track_others)
      for (uint64_t id : others)
        if (!(*rec)->track(id, TAILOR_TRACK_AGGREGATE)) die("track failed");
    if (track_loop && !(*rec)->track(loop_id, TAILOR_TRACK_AGGREGATE)) die("track failed");
    Recorder* raw = rec->release();
    return Attached{[raw] { return raw->program_stats(); }, [raw] { delete raw; }};
  };
  // One program of bpf/hook_floor.bpf.c: the empty one, or one piece of the hot path.
  const auto hook_program = [](const std::string& name) {
    hook_floor* skel = hook_floor__open();
    if (skel == nullptr) die("cannot open the floor programs");
    bpf_program* chosen = nullptr;
    bpf_program* program;
    bpf_object__for_each_program(program, skel->obj) {
      const bool wanted = name == bpf_program__name(program);
      bpf_program__set_autoload(program, wanted);
      if (wanted) chosen = program;
    }
    if (chosen == nullptr || hook_floor__load(skel) != 0 || hook_floor__attach(skel) != 0)
      die("cannot attach " + name);
    return Attached{[chosen] {
                      bpf_prog_info info{};
                      uint32_t length = sizeof(info);
                      bpf_obj_get_info_by_fd(bpf_program__fd(chosen), &info, &length);
                      return Recorder::ProgramStats{info.run_time_ns, info.run_cnt};
                    },
                    [skel] { hook_floor__destroy(skel); }};
  };
  const auto floor_program = [&] { return hook_program("tailor_floor_sys_enter"); };
  const auto nothing = [] { return Attached{nullptr, [] {}}; };
  struct Config {
    std::string name;
    int threads;
    std::function<Attached()> setup;
  };
  const int cpus = static_cast<int>(std::thread::hardware_concurrency());
  const std::vector<Config> configs = {
      {"none", 1, nothing},
      {"floor", 1, floor_program},
      {"untracked", 1, [&] { return recorder(false, true); }},
      {"tracked", 1, [&] { return recorder(true, false); }},
      {"tracked+200", 1, [&] { return recorder(true, true); }},
      {"none xN", cpus, nothing},
      {"floor xN", cpus, floor_program},
      {"tracked+200 xN", cpus, [&] { return recorder(true, true); }},
  };

  // The pieces of the hot path, each alone on the hook (run-time stats only).
  std::vector<Config> pieces;
  for (const char* piece :
       {"piece_task", "piece_cgroup_serial", "piece_cgroup_kn_id", "piece_cgroup_id_helper",
        "piece_shared_atomic", "piece_percpu_add", "piece_direct_map_atomic"})
    pieces.push_back({piece, 1, [&, piece] { return hook_program(piece); }});
  for (const char* piece : {"piece_shared_atomic", "piece_percpu_add"})
    pieces.push_back(
        {std::string(piece) + " xN", cpus, [&, piece] { return hook_program(piece); }});

  // Wall clock first, without run-time stats (they add two clock reads to every run), then
  // the programs' own run time with them; both interleaved over the rounds.
  std::map<std::string, std::vector<double>> wall, program;
  ns_per_call(iterations / 4);  // warm-up
  for (int round = 0; round < rounds; ++round)
    // Rotating the order keeps any one configuration from always following another's teardown.
    for (size_t i = 0; i < configs.size(); ++i) {
      const Config& config = configs[(static_cast<size_t>(round) + i) % configs.size()];
      Attached attached = config.setup();
      ns_per_call(iterations / 20, config.threads);  // resolve and warm the cache
      wall[config.name].push_back(ns_per_call(iterations, config.threads));
      attached.teardown();
    }
  const int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (stats_fd < 0) die("bpf_enable_stats: " + std::string(std::strerror(errno)));
  for (int round = 0; round < rounds; ++round)
    for (const std::vector<Config>* list :
         std::initializer_list<const std::vector<Config>*>{&configs, &pieces})
      for (const auto& config : *list) {
        Attached attached = config.setup();
        if (attached.stats) {
          ns_per_call(iterations / 20, config.threads);
          const auto before = attached.stats();
          ns_per_call(iterations, config.threads);
          const auto after = attached.stats();
          program[config.name].push_back(
              double(after.run_time_ns - before.run_time_ns) /
              double(std::max<uint64_t>(1, after.run_count - before.run_count)));
        }
        attached.teardown();
      }
  close(stats_fd);

  std::printf(
      "syscall overhead: getppid loop, %ld calls x %d rounds, median round (spread: max - min)\n",
      iterations, rounds);
  std::printf("xN: one loop on each of the %d CPUs, in the same set; compared with none xN\n",
              cpus);
  std::printf(
      "above floor: (config - floor) / none within each round; the median round and its 95%% "
      "interval\n");
  std::printf("%-16s %10s %8s %10s %12s %16s %14s %8s\n", "config", "ns/call", "spread", "x none",
              "above floor", "95% interval", "program ns", "spread");
  for (const auto& config : configs) {
    const bool many = config.threads > 1;
    const auto& none = wall[many ? "none xN" : "none"];
    const auto& floor_ns = wall[many ? "floor xN" : "floor"];
    const auto& ns = wall[config.name];
    // Each round's own floor and bare call: a round the host slowed down slows all three, so
    // the ratio keeps what the median of each alone loses.
    std::vector<double> above;
    for (size_t round = 0; round < ns.size(); ++round)
      above.push_back(100.0 * (ns[round] - floor_ns[round]) / none[round]);
    std::printf("%-16s %10.1f %8.1f %10.3f", config.name.c_str(), median(ns), spread(ns),
                median(ns) / median(none));
    if (config.name.starts_with("none"))
      std::printf(" %12s %16s", "", "");
    else
      std::printf(" %+11.1f%% %+6.1f .. %+5.1f%%", median(above), median_interval(above).first,
                  median_interval(above).second);
    if (program.count(config.name))
      std::printf(" %14.1f %8.1f", median(program[config.name]), spread(program[config.name]));
    std::printf("\n");
  }
  std::printf("pieces of the hot path, each alone on the hook (docs/decisions/0010):\n");
  for (const auto& piece : pieces)
    std::printf("%-30s %14.1f %8.1f\n", piece.name.c_str(), median(program[piece.name]),
                spread(program[piece.name]));
  std::printf(
      "target: above floor, untracked at most +1%%, tracked at most +2%%, tracked xN at most "
      "+3%%\n");
  print_denial_hook_cost(iterations, rounds, loop_id);
  std::printf("reproduce: sudo %s %ld %d\n", argv[0], iterations, rounds);
  std::fflush(stdout);
  move_self(*cgroups, *home);
  return 0;
}
