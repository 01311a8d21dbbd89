// The recorder in the real kernel: real BPF, real cgroups, real processes.
#include "agent/recorder/recorder.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/spawn.h"
#include "common/report/recorder_stats.h"
#include "tests/support/recording.h"
#include "tests/support/test_cgroup.h"
#include "tests/support/wait.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

uint32_t nr_of(const char* name) {
  const int nr = seccomp_syscall_resolve_name(name);
  EXPECT_GE(nr, 0) << name;
  return static_cast<uint32_t>(nr);
}

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TAILOR_REQUIRE_RECORDING();
    auto recorder = Recorder::open(RecorderOptions{});
    ASSERT_TRUE(recorder) << recorder.error().message;
    recorder_ = std::move(*recorder);
    ASSERT_NO_FATAL_FAILURE(cgroup_.create("/tailor-test"));
  }

  std::string make_cgroup(const std::string& name) {
    const std::string path = cgroup_.path() + "/" + name;
    EXPECT_TRUE(cgroup_.cgroups().create(path));
    return path;
  }

  uint64_t id_of(const std::string& path) {
    auto id = cgroup_.cgroups().id_of(path);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  pid_t start(const std::string& cgroup_path, std::vector<std::string> args) {
    args.insert(args.begin(), TAILOR_TEST_WORKLOAD);
    // An empty path: where the test runs, outside every tracked cgroup.
    auto pid =
        spawn_in_cgroup(cgroup_path.empty() ? fs::path() : cgroup_.cgroups().absolute(cgroup_path),
                        TAILOR_TEST_WORKLOAD, args);
    EXPECT_TRUE(pid) << pid.error().message;
    return pid ? *pid : -1;
  }

  int run(const std::string& cgroup_path, std::vector<std::string> args) {
    return wait_for_exit(start(cgroup_path, std::move(args)));
  }

  // Calls per syscall number that the cgroup's set holds for one ABI.
  std::map<uint32_t, uint64_t> calls(uint64_t cgroup_id, uint32_t abi = TAILOR_ABI_NATIVE,
                                     uint32_t phase = TAILOR_PHASE_WORKLOAD) {
    auto sets = recorder_->read_sets_of(cgroup_id);
    EXPECT_TRUE(sets) << sets.error().message;
    if (!sets) return {};
    auto it = sets->find(SetKey{cgroup_id, abi, phase});
    return it == sets->end() ? std::map<uint32_t, uint64_t>{} : it->second.calls;
  }

  static std::set<uint32_t> numbers(const std::map<uint32_t, uint64_t>& calls) {
    std::set<uint32_t> out;
    for (const auto& [nr, count] : calls) out.insert(nr);
    return out;
  }

  // Runs the workload under a filter that gives `action` to `syscall`, installed by a
  // launcher that is not Tailor. Returns the shell-style status.
  int run_denied(const std::string& cgroup_path, const std::string& action,
                 const std::string& syscall, std::vector<std::string> workload_args) {
    std::vector<std::string> args = {TAILOR_TEST_SECCOMP_LAUNCHER, action, syscall,
                                     TAILOR_TEST_WORKLOAD};
    args.insert(args.end(), workload_args.begin(), workload_args.end());
    auto pid = spawn_in_cgroup(cgroup_.cgroups().absolute(cgroup_path),
                               TAILOR_TEST_SECCOMP_LAUNCHER, args);
    EXPECT_TRUE(pid) << pid.error().message;
    return pid ? wait_for_exit(*pid) : -1;
  }

  // (nr, action) -> denials the kernel counted for the cgroup's set.
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> denied(uint64_t cgroup_id,
                                                           uint32_t abi = TAILOR_ABI_NATIVE) {
    auto denials = recorder_->read_denials_of(cgroup_id);
    EXPECT_TRUE(denials) << denials.error().message;
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> out;
    if (denials)
      for (const auto& denial : *denials)
        if (denial.abi == abi) out[{denial.nr, denial.action}] = denial.calls;
    return out;
  }

  // However often getppid was denied in `cgroup_id`, one first-denied event, naming the
  // workload.
  void expect_one_first_denied_getppid(uint64_t cgroup_id, uint32_t action) {
    std::vector<tailor_event> events;
    ASSERT_TRUE(recorder_->poll_events(0, [&](const tailor_event& e) {
      if (e.kind == TAILOR_EVENT_DENIED) events.push_back(e);
    }));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].nr, nr_of("getppid"));
    EXPECT_EQ(events[0].action, uint64_t{action});
    EXPECT_EQ(events[0].set_cgroup_id, cgroup_id);
    EXPECT_STREQ(events[0].comm,
                 fs::path(TAILOR_TEST_WORKLOAD).filename().string().substr(0, 15).c_str());
  }

  // A pin directory of the test's own, removed however the test ends: its pinned links would
  // keep a recorder attached to every syscall of the machine.
  std::string pin_dir() {
    pins_ = "/sys/fs/bpf/tailor-test-" + std::to_string(::getpid());
    return pins_;
  }

  void TearDown() override {
    recorder_.reset();
    if (!pins_.empty()) {
      EXPECT_TRUE(Recorder::unpin(pins_));
    }
  }

  std::unique_ptr<Recorder> recorder_;
  std::string pins_;
  tailor::testing::TestCgroup cgroup_;
};

TEST_F(RecorderTest, RecordsExactlyTheWorkloadsSyscallsAndNothingFromOutside) {
  // Noise outside the tracked cgroups: a syscall the workload never makes.
  const std::string outside = make_cgroup("outside");
  const pid_t noise = start(outside, {"spin", std::to_string(nr_of("sched_get_priority_min"))});

  const std::string baseline_cg = make_cgroup("baseline");
  const std::string probe_cg = make_cgroup("probe");
  ASSERT_TRUE(recorder_->track(id_of(baseline_cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_TRUE(recorder_->track(id_of(probe_cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_EQ(run(baseline_cg, {"baseline"}), 0);
  ASSERT_EQ(run(probe_cg, {"probe"}), 0);
  ::kill(noise, SIGKILL);
  wait_for_exit(noise);

  const auto baseline = numbers(calls(id_of(baseline_cg)));
  const auto probe = numbers(calls(id_of(probe_cg)));
  ASSERT_FALSE(baseline.empty());
  // The spawning child came in from outside: its exec of the workload is the runtime's.
  EXPECT_FALSE(baseline.contains(nr_of("execve")));
  EXPECT_TRUE(calls(id_of(baseline_cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED)
                  .contains(nr_of("execve")));
  EXPECT_TRUE(std::includes(probe.begin(), probe.end(), baseline.begin(), baseline.end()));

  std::set<uint32_t> extra;
  std::set_difference(probe.begin(), probe.end(), baseline.begin(), baseline.end(),
                      std::inserter(extra, extra.end()));
  const std::set<uint32_t> expected = {nr_of("getcpu"),
                                       nr_of("sysinfo"),
                                       nr_of("getpriority"),
                                       nr_of("sched_getscheduler"),
                                       nr_of("capget"),
                                       nr_of("getitimer"),
                                       nr_of("sched_rr_get_interval")};
  EXPECT_EQ(extra, expected);
  EXPECT_FALSE(probe.contains(nr_of("sched_get_priority_min")));
  EXPECT_EQ(recorder_->stats()["events_dropped"], 0u);
}

TEST_F(RecorderTest, AttributesEveryCallOf64ThreadsAnd5000ShortLivedChildren) {
  const std::string cg = make_cgroup("churn");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_EQ(run(cg, {"threads", "64"}), 0);
  ASSERT_EQ(run(cg, {"forks", "5000"}), 0);
  const auto counted = calls(id_of(cg));
  // Exact counts: a pid-list recorder misses children that exit before it
  // learns their pid; keying by cgroup cannot.
  ASSERT_TRUE(counted.contains(nr_of("sched_getparam")));
  EXPECT_EQ(counted.at(nr_of("sched_getparam")), 64u);
  ASSERT_TRUE(counted.contains(nr_of("getppid")));
  EXPECT_EQ(counted.at(nr_of("getppid")), 5000u);
}

// Each CPU counts into its own stripe of a set (RecorderOptions::count_stripes): with a thread on
// every CPU calling at once, the sum is still every call, for one stripe, one a CPU and more
// stripes than CPUs.
TEST_F(RecorderTest, CountsStayExactWithEveryCpuCallingIntoOneSet) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  constexpr uint64_t kCalls = 100000;
  for (const uint32_t stripes : {1u, 2u, 8u}) {
    recorder_.reset();
    RecorderOptions options;
    options.count_stripes = stripes;
    auto opened = Recorder::open(options);
    ASSERT_TRUE(opened) << opened.error().message;
    recorder_ = std::move(*opened);
    const std::string cg = make_cgroup("every-cpu-" + std::to_string(stripes));
    ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
    ASSERT_EQ(run(cg, {"every-cpu", std::to_string(kCalls)}), 0);
    const auto counted = calls(id_of(cg));
    ASSERT_TRUE(counted.contains(nr_of("sched_getparam"))) << stripes << " stripes";
    EXPECT_EQ(counted.at(nr_of("sched_getparam")), CPU_COUNT(&allowed) * kCalls)
        << stripes << " stripes";
  }
}

// A call counts in a cell of its cache page when one is free or its own, else in its set's
// stripe: 64 distinct calls (more than a stripe's 32 cells) must all count, every call. No
// syscall has these numbers on a 64-bit arch: on the generic table 295 to 402 were never given
// and 403 to 423 are 32-bit time64 calls; x86_64 leaves 335 to 423 free, and its new x86-only
// calls take the low end of that (uretprobe: 335).
TEST_F(RecorderTest, CountsStayExactWhenACachePageHasNoCellLeft) {
  constexpr uint32_t kFirst = 360;
  constexpr uint32_t kLast = 423;
  constexpr int kCalls = 3;
  const std::string cg = make_cgroup("many-calls");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_EQ(run(cg, {"unused-numbers", std::to_string(kCalls), std::to_string(kFirst),
                     std::to_string(kLast)}),
            0);
  const auto counted = calls(id_of(cg));
  for (uint32_t nr = kFirst; nr <= kLast; ++nr) {
    ASSERT_TRUE(counted.contains(nr)) << "syscall " << nr;
    EXPECT_EQ(counted.at(nr), uint64_t{kCalls}) << "syscall " << nr;
  }
  EXPECT_EQ(counted.at(nr_of("exit_group")), 1u);
}

TEST_F(RecorderTest, RefusesMoreSetsThanACellCanName) {
  RecorderOptions options;
  options.max_syscall_sets = TAILOR_CELL_MAX_SLOTS + 1;
  auto opened = Recorder::open(options);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("--max-sets"), std::string::npos) << opened.error().message;
}

TEST_F(RecorderTest, RefusesMoreCountStripesThanItHas) {
  RecorderOptions options;
  options.count_stripes = TAILOR_MAX_COUNT_STRIPES + 1;
  auto opened = Recorder::open(options);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("count stripes"), std::string::npos);
}

TEST_F(RecorderTest, TwoWorkloadsRecordedAtOnceStaySeparate) {
  const std::string a = make_cgroup("a");
  const std::string b = make_cgroup("b");
  ASSERT_TRUE(recorder_->track(id_of(a), TAILOR_TRACK_AGGREGATE));
  ASSERT_TRUE(recorder_->track(id_of(b), TAILOR_TRACK_AGGREGATE));
  const pid_t pa = start(a, {"threads", "8"});
  const pid_t pb = start(b, {"forks", "50"});
  ASSERT_EQ(wait_for_exit(pa), 0);
  ASSERT_EQ(wait_for_exit(pb), 0);
  const auto in_a = calls(id_of(a));
  const auto in_b = calls(id_of(b));
  EXPECT_EQ(in_a.at(nr_of("sched_getparam")), 8u);
  EXPECT_FALSE(in_a.contains(nr_of("getppid")));
  EXPECT_EQ(in_b.at(nr_of("getppid")), 50u);
  EXPECT_FALSE(in_b.contains(nr_of("sched_getparam")));
}

TEST_F(RecorderTest, NestedCgroupsAggregateIntoTheTrackedOneOrSplit) {
  const std::string agg = make_cgroup("agg");
  const std::string agg_child = make_cgroup("agg/inner/deeper");
  const std::string split = make_cgroup("split");
  const std::string split_child = make_cgroup("split/container");
  ASSERT_TRUE(recorder_->track(id_of(agg), TAILOR_TRACK_AGGREGATE));
  ASSERT_TRUE(recorder_->track(id_of(split), TAILOR_TRACK_SPLIT));
  ASSERT_EQ(run(agg_child, {"threads", "3"}), 0);
  ASSERT_EQ(run(split_child, {"threads", "5"}), 0);

  EXPECT_EQ(calls(id_of(agg)).at(nr_of("sched_getparam")), 3u);
  EXPECT_TRUE(calls(id_of(agg_child)).empty());
  EXPECT_EQ(calls(id_of(split_child)).at(nr_of("sched_getparam")), 5u);
  EXPECT_TRUE(calls(id_of(split)).empty());
}

TEST_F(RecorderTest, UntrackedCgroupStopsBeingRecorded) {
  const std::string cg = make_cgroup("toggle");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_EQ(run(cg, {"threads", "2"}), 0);
  ASSERT_TRUE(recorder_->untrack(id_of(cg)));
  ASSERT_EQ(run(cg, {"threads", "7"}), 0);
  EXPECT_EQ(calls(id_of(cg)).at(nr_of("sched_getparam")), 2u);
}

TEST_F(RecorderTest, FirstSeenEventsCarryTheCaller) {
  const std::string cg = make_cgroup("events");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const pid_t pid = start(cg, {"probe"});
  ASSERT_EQ(wait_for_exit(pid), 0);
  std::map<uint32_t, tailor_event> seen;
  const Recorder::EventHandler collect = [&](const tailor_event& e) {
    if (e.set_cgroup_id == id_of(cg) && e.kind == TAILOR_EVENT_FIRST_SEEN &&
        e.phase == TAILOR_PHASE_WORKLOAD)
      seen.emplace(e.nr, e);
  };
  while (true) {
    auto n = recorder_->poll_events(0, collect);
    ASSERT_TRUE(n);
    if (*n == 0) break;
  }
  ASSERT_TRUE(seen.contains(nr_of("getcpu")));
  const tailor_event& e = seen.at(nr_of("getcpu"));
  EXPECT_EQ(e.pid, static_cast<uint32_t>(pid));
  EXPECT_EQ(e.abi, TAILOR_ABI_NATIVE);
  EXPECT_STREQ(e.comm, fs::path(TAILOR_TEST_WORKLOAD).filename().string().substr(0, 15).c_str());
  // One event per syscall, however often it is called.
  EXPECT_EQ(seen.size(), calls(id_of(cg)).size());
}

// forget_sets_of releases a cgroup's sets in every phase at once, as the agent does for a
// finished container.
TEST_F(RecorderTest, ForgettingACgroupsSetsReleasesThemInEveryPhase) {
  const std::string cg = make_cgroup("forgotten");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const std::string procs = (cgroup_.cgroups().absolute(cg) / "cgroup.procs").string();
  ASSERT_EQ(run("", {"fake-runtime", procs, TAILOR_TEST_WORKLOAD_STATIC}), 0);
  auto before = recorder_->read_sets_of(id_of(cg));
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_GE(before->size(), 2u) << "the runtime's phases and the workload's";
  ASSERT_TRUE(recorder_->forget_sets_of(id_of(cg)));
  auto after = recorder_->read_sets_of(id_of(cg));
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->empty());
}

TEST_F(RecorderTest, CountersAreNamedByTheOneTable) {
  std::set<std::string> names;
  for (const auto& [name, value] : recorder_->stats()) names.insert(name);
  std::set<std::string> table;
  for (const auto& stat : common::kRecorderStats) table.insert(std::string(stat.name));
  EXPECT_EQ(names, table);
}

// A runtime process moved into the cgroup by its parent outside, as runc's
// `runc init` is, re-executes itself twice and forks, all under a name no
// runtime has; then a thread of it executes the workload after the filter.
TEST_F(RecorderTest, ARuntimeIsKnownByComingInFromOutsideNotByItsName) {
  const std::string cg = make_cgroup("runtime");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const std::string procs = (cgroup_.cgroups().absolute(cg) / "cgroup.procs").string();
  ASSERT_EQ(run("", {"fake-runtime", procs, TAILOR_TEST_WORKLOAD_STATIC}), 0);
  const auto setup = calls(id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_SETUP);
  const auto filtered = calls(id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED);
  const auto workload = calls(id_of(cg));
  for (const char* name :
       {"sched_getscheduler", "execve", "getpriority", "memfd_create", "execveat", "seccomp"}) {
    EXPECT_TRUE(setup.contains(nr_of(name))) << name;
    EXPECT_FALSE(workload.contains(nr_of(name))) << name << " is the runtime's";
  }
  EXPECT_FALSE(setup.contains(nr_of("getitimer")));
  EXPECT_EQ(filtered.at(nr_of("getitimer")), 1u);
  EXPECT_EQ(filtered.at(nr_of("execve")), 1u)
      << "the workload's exec, by a thread under the filter";
  EXPECT_FALSE(filtered.contains(nr_of("sched_getscheduler")));
  EXPECT_FALSE(workload.contains(nr_of("getitimer")));
  EXPECT_TRUE(workload.contains(nr_of("exit_group"))) << "the workload itself";
}

// The move's tracepoint fires after the process is in the cgroup; the calls a
// busy thread of it makes in between are the runtime's all the same (the
// cgroup is flagged as arriving from the moment the move populates it).
TEST_F(RecorderTest, CallsMadeWhileAProcessIsBeingMovedInAreTheRuntimes) {
  const std::string cg = make_cgroup("busy");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const std::string procs = (cgroup_.cgroups().absolute(cg) / "cgroup.procs").string();
  for (int round = 0; round < 20; ++round)
    ASSERT_EQ(run("", {"moved-while-busy", procs, TAILOR_TEST_WORKLOAD_STATIC}), 0);
  EXPECT_GE(calls(id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_SETUP)
                .at(nr_of("sched_get_priority_max")),
            20u);
  EXPECT_FALSE(calls(id_of(cg)).contains(nr_of("sched_get_priority_max")))
      << "a call made during the move counted as the workload's";
}

// Recorded unconfined, the runtime installs no filter; the exec of the
// workload still meets the filter when the profile is enforced.
TEST_F(RecorderTest, TheWorkloadsExecIsTheRuntimesAndMeetsTheFilter) {
  const std::string cg = make_cgroup("unfiltered");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const std::string procs = (cgroup_.cgroups().absolute(cg) / "cgroup.procs").string();
  ASSERT_EQ(run("", {"fake-runtime", procs, TAILOR_TEST_WORKLOAD_STATIC, "unfiltered"}), 0);
  const auto setup = calls(id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_SETUP);
  const auto filtered = calls(id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED);
  EXPECT_TRUE(setup.contains(nr_of("getitimer")));
  EXPECT_EQ(setup.at(nr_of("execve")), 2u) << "the runtime's own re-exec and the workload's exec";
  EXPECT_EQ(filtered, (std::map<uint32_t, uint64_t>{{nr_of("execve"), 1}}));
  EXPECT_FALSE(calls(id_of(cg)).contains(nr_of("execve")));
}

// A process already in the cgroup when recording starts is the workload; a
// command started into it is the runtime's until its exec, and what it forks
// after that is the workload.
TEST_F(RecorderTest, ProcessesThatWereAlreadyInsideAreTheWorkload) {
  const std::string cg = make_cgroup("inside");
  const pid_t pid = start(cg, {"probe-loop"});
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_EQ(run(cg, {"forks", "3"}), 0);
  // The loop probes every 20 ms, and `forks` can be done sooner: wait for its next probe.
  EXPECT_TRUE(tailor::testing::wait_until([&] {
    return calls(id_of(cg)).contains(nr_of("getcpu"));
  })) << "the process already inside was not recorded as the workload";
  ::kill(pid, SIGKILL);
  wait_for_exit(pid);
  const auto workload = calls(id_of(cg));
  EXPECT_EQ(workload.at(nr_of("getppid")), 3u);
  EXPECT_TRUE(
      calls(id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_SETUP).contains(nr_of("execve")));
}

TEST_F(RecorderTest, KeepsTheDistinctValuesOfSecurityRelevantArguments) {
  const std::string cg = make_cgroup("args");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_EQ(run(cg, {"args"}), 0);
  auto sets = recorder_->read_sets_of(id_of(cg));
  ASSERT_TRUE(sets) << sets.error().message;
  const SyscallCounts& counts =
      sets->at(SetKey{id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD});
  const auto values = [&](const char* name) {
    std::set<uint64_t> out;
    if (auto it = counts.args.find(nr_of(name)); it != counts.args.end())
      for (const auto& [value, calls] : it->second.values) out.insert(value);
    return out;
  };
  EXPECT_EQ(values("socket"), (std::set<uint64_t>{AF_UNIX, AF_INET}));
  EXPECT_EQ(values("socketpair"), (std::set<uint64_t>{AF_UNIX}));
  EXPECT_EQ(values("personality"), (std::set<uint64_t>{0xffffffff}));
  // glibc starts threads with clone3; its flags are read from user memory.
  const auto thread_flags = values("clone3");
  ASSERT_EQ(thread_flags.size(), 1u);
  EXPECT_NE(*thread_flags.begin() & CLONE_THREAD, 0u);
  EXPECT_EQ(counts.args.at(nr_of("socket")).index, 0u);
  EXPECT_TRUE(counts.args_overflow.empty());
}

TEST_F(RecorderTest, ReleasedSetsAreReusedWithoutLeftovers) {
  RecorderOptions small;
  small.max_syscall_sets = 2;
  auto opened = Recorder::open(small);
  ASSERT_TRUE(opened) << opened.error().message;
  recorder_ = std::move(*opened);
  const std::string a = make_cgroup("first");
  const std::string b = make_cgroup("second");
  const std::string c = make_cgroup("third");
  for (const auto& cg : {a, b, c}) ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_EQ(run(a, {"threads", "1"}), 0);
  ASSERT_EQ(run(b, {"forks", "1"}), 0);
  // Both slots are taken: the third cgroup is counted as lost, not mixed in.
  ASSERT_EQ(run(c, {"probe"}), 0);
  EXPECT_TRUE(calls(id_of(c)).empty());
  EXPECT_GE(recorder_->stats()["sets_full"], 1u);

  ASSERT_TRUE(recorder_->forget_set(SetKey{id_of(a), TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}));
  ASSERT_EQ(run(c, {"probe"}), 0);
  const auto reused = calls(id_of(c));
  EXPECT_TRUE(reused.contains(nr_of("getcpu")));
  EXPECT_FALSE(reused.contains(nr_of("sched_getparam"))) << "left over from the released set";
  // Counts too, in every stripe: both processes made one exit_group.
  EXPECT_EQ(reused.at(nr_of("exit_group")), 1u) << "a count left over from the released set";
  EXPECT_TRUE(calls(id_of(a)).empty());
}

TEST_F(RecorderTest, PinnedStateKeepsRecordingWhileNoRecorderRuns) {
  recorder_.reset();
  const std::string pins = pin_dir();
  RecorderOptions options;
  options.pin_dir = pins;
  const std::string cg = make_cgroup("pinned");
  {
    auto first = Recorder::open(options);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_FALSE((*first)->resumed());
    ASSERT_TRUE((*first)->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
    ASSERT_EQ(run(cg, {"threads", "2"}), 0);
  }
  // No recorder process now: the pinned program and maps carry on.
  ASSERT_EQ(run(cg, {"forks", "3"}), 0);
  auto second = Recorder::open(options);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE((*second)->resumed());
  auto sets = (*second)->read_sets_of(id_of(cg));
  ASSERT_TRUE(sets) << sets.error().message;
  const auto& calls = sets->at(SetKey{id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}).calls;
  EXPECT_EQ(calls.at(nr_of("sched_getparam")), 2u);
  EXPECT_EQ(calls.at(nr_of("getppid")), 3u) << "made while no recorder process ran";
  // One program, not two: a call is counted once after the restart too.
  ASSERT_EQ(run(cg, {"threads", "1"}), 0);
  auto after = (*second)->read_sets_of(id_of(cg));
  EXPECT_EQ(after->at(SetKey{id_of(cg), TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD})
                .calls.at(nr_of("sched_getparam")),
            3u);
  second->reset();
  ASSERT_TRUE(Recorder::unpin(pins));
  EXPECT_FALSE(std::filesystem::exists(pins));
}

// The resolution cache is keyed by the caller's css_set address and checked against its cgroup's
// address (bpf/resolve_cache.bpf.h), and the kernel reuses both once a cgroup is removed. The
// dangerous case: a recorded cgroup removed, and an unrecorded one made at its two addresses,
// whose first process comes in without anything else dropping the cache. The test repeats that
// until it has seen it happen (the addresses are read back from the cache), and the recorded
// set must never get the unrecorded cgroup's calls.
TEST_F(RecorderTest, AnUnrecordedCgroupMadeAtARemovedOnesAddressesIsNotCountedAsIt) {
  recorder_.reset();
  const std::string pins = pin_dir();
  RecorderOptions options;
  options.pin_dir = pins;
  options.max_syscall_sets = 4096;  // each cycle keeps its sets: a release would drop the cache
  auto opened = Recorder::open(options);
  ASSERT_TRUE(opened) << opened.error().message;
  recorder_ = std::move(*opened);
  const int bss = bpf_obj_get((pins + "/recorder_bss").c_str());
  const int slots = bpf_obj_get((pins + "/set_slots").c_str());
  ASSERT_GE(bss, 0) << pins << "/recorder_bss: " << std::strerror(errno);
  ASSERT_GE(slots, 0) << pins << "/set_slots: " << std::strerror(errno);
  constexpr size_t kCacheBytes = sizeof(tailor_cache_page) * TAILOR_CACHE_PAGES;
  void* mapped = ::mmap(nullptr, kCacheBytes, PROT_READ, MAP_SHARED, bss, 0);
  ASSERT_NE(mapped, MAP_FAILED) << std::strerror(errno);
  const auto* cache = static_cast<const tailor_cache_page*>(mapped);
  uint64_t mix_inverse = TAILOR_CACHE_MIX;  // Newton's iteration: exact mod 2^64 after 5 steps
  for (int i = 0; i < 5; ++i) mix_inverse *= 2 - TAILOR_CACHE_MIX * mix_inverse;

  // (css_set, cgroup) addresses of the current entry that matches `wanted`.
  using Addresses = std::pair<uint64_t, uint64_t>;
  auto entry_where = [&](auto wanted) -> std::optional<Addresses> {
    for (uint32_t page = 0; page < TAILOR_CACHE_PAGES; ++page)
      for (const tailor_cache_entry& e : cache[page].entries)
        if (e.generation == cache[page].generation && wanted(e)) {
          const uint64_t mixed = e.check ^ e.css_set ^ (e.slot_plus_one * TAILOR_CACHE_GOLDEN) ^
                                 (e.generation << 32) ^ TAILOR_CACHE_GOLDEN;
          return Addresses{e.css_set, mixed * mix_inverse};
        }
    return std::nullopt;
  };
  auto slot_of = [&](uint64_t cgroup_id) {
    tailor_set_key key{
        .cgroup_id = cgroup_id, .abi = TAILOR_ABI_NATIVE, .phase = TAILOR_PHASE_WORKLOAD};
    uint32_t slot = 0;
    EXPECT_EQ(bpf_map_lookup_elem(slots, &key, &slot), 0) << "no set for " << cgroup_id;
    return slot;
  };
  const std::string parent = make_cgroup("reuse");
  const std::string recorded = make_cgroup("reuse/recorded");
  make_cgroup("reuse/unrecorded");
  // Removed cgroups below `parent` that the kernel has not released yet (cgroup.stat): until
  // then their addresses cannot be reused.
  auto released = [&] {
    std::ifstream stat(cgroup_.cgroups().absolute(parent) / "cgroup.stat");
    std::string name;
    uint64_t value = 0;
    while (stat >> name >> value)
      if (name == "nr_dying_descendants") return value == 0;
    ADD_FAILURE() << "no nr_dying_descendants in " << parent << "/cgroup.stat";
    return true;
  };
  auto make_and_run = [&](const std::string& under) {
    const std::string cg = make_cgroup(under);
    EXPECT_EQ(run(cg, {"threads", "1"}), 0);
    return cg;
  };
  auto remove = [&](const std::string& cg) {
    EXPECT_TRUE(cgroup_.cgroups().destroy(cg));
    EXPECT_TRUE(tailor::testing::wait_until(released, std::chrono::seconds(30),
                                            std::chrono::milliseconds(1)))
        << cg << " was not released in 30 s";
  };
  ASSERT_TRUE(recorder_->track(id_of(recorded), TAILOR_TRACK_SPLIT));

  // A cycle removes a recorded cgroup, then makes unrecorded ones, one at a time, until one is
  // made at its addresses. Nothing in between drops the cache but the removals themselves.
  int reused = 0, cycles = 0, unrecorded_made = 0;
  for (; cycles < 200 && reused == 0 && !HasFailure(); ++cycles) {
    const std::string first = make_and_run("reuse/recorded/one");
    const uint64_t id = id_of(first);
    const std::map<uint32_t, uint64_t> before = calls(id);
    ASSERT_EQ(before.count(nr_of("sched_getparam")), 1u) << "cycle " << cycles;
    const uint32_t slot = slot_of(id);
    const auto addresses =
        entry_where([&](const tailor_cache_entry& e) { return e.slot_plus_one == slot + 1ull; });
    remove(first);
    // Another process's entry may have taken this one's place in the table meanwhile: then
    // this cycle's addresses are unknown, and only its counts are checked.
    for (int i = 0; i < 20 && !HasFailure(); ++i, ++unrecorded_made) {
      const std::string second = make_and_run("reuse/unrecorded/one");
      EXPECT_EQ(calls(id), before) << "cycle " << cycles << ": the unrecorded cgroup's calls";
      const bool at_its_addresses =
          addresses && entry_where([&](const tailor_cache_entry& e) {
                         return e.css_set == addresses->first && e.slot_plus_one == 0;
                       }) == addresses;
      remove(second);
      if (at_its_addresses) {
        ++reused;
        break;
      }
    }
  }
  std::printf("%d cycles, %d unrecorded cgroups made; %d at a removed recorded one's addresses\n",
              cycles, unrecorded_made, reused);
  EXPECT_GE(reused, 1) << "in " << cycles << " cycles no cgroup was made at a removed one's "
                       << "addresses: the test showed nothing";
  ::munmap(mapped, kCacheBytes);
  ::close(bss);
  ::close(slots);
}

TEST_F(RecorderTest, IgnoredCgroupsBelowASplitRootAreNotRecorded) {
  const std::string root = make_cgroup("node");
  const std::string kept = make_cgroup("node/pod-a/ctr");
  const std::string ignored = make_cgroup("node/pod-b/ctr");
  ASSERT_TRUE(recorder_->track(id_of(root), TAILOR_TRACK_SPLIT));
  ASSERT_TRUE(recorder_->track(id_of(cgroup_.path() + "/node/pod-b"), TAILOR_TRACK_IGNORE));
  ASSERT_EQ(run(kept, {"threads", "1"}), 0);
  ASSERT_EQ(run(ignored, {"threads", "1"}), 0);
  EXPECT_EQ(calls(id_of(kept)).at(nr_of("sched_getparam")), 1u);
  EXPECT_TRUE(calls(id_of(ignored)).empty());
}

#if defined(__x86_64__)
TEST_F(RecorderTest, CompatCallsAreNeverCountedAsTheNativeNumber) {
  const std::string cg = make_cgroup("compat");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const int status = run(cg, {"int80"});
  if (status == 128 + SIGSEGV || status == 4)
    GTEST_SKIP() << "ia32 emulation is disabled on this kernel (int 0x80 unavailable)";
  ASSERT_EQ(status, 0);
  // eax 20 through int 0x80 is ia32 getpid; natively 20 is writev.
  const auto compat = calls(id_of(cg), TAILOR_ABI_COMPAT);
  EXPECT_EQ(compat.at(20), 1u);
  const int native_writev = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "writev");
  EXPECT_FALSE(calls(id_of(cg)).contains(static_cast<uint32_t>(native_writev)));
}
#endif

TEST_F(RecorderTest, ATrappedCallIsCountedAsDeniedEveryTimeWithItsFirstCaller) {
  const std::string cg = make_cgroup("trap");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const std::string getppid = std::to_string(nr_of("getppid"));
  ASSERT_EQ(run_denied(cg, "trap", "getppid", {"call", getppid, "3"}), 0);
  EXPECT_EQ(denied(id_of(cg)), (std::map<std::pair<uint32_t, uint32_t>, uint64_t>{
                                   {{nr_of("getppid"), TAILOR_DENIAL_TRAP}, 3}}));
  // Denied calls never reach sys_enter: they are not among the calls made.
  EXPECT_FALSE(calls(id_of(cg)).contains(nr_of("getppid")));
  expect_one_first_denied_getppid(id_of(cg), TAILOR_DENIAL_TRAP);
}

TEST_F(RecorderTest, AKilledProcessIsCountedAsDeniedByKillProcess) {
  const std::string cg = make_cgroup("kill");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const std::string getppid = std::to_string(nr_of("getppid"));
  EXPECT_EQ(run_denied(cg, "kill_process", "getppid", {"call", getppid, "3"}), 128 + SIGSYS);
  EXPECT_EQ(denied(id_of(cg)), (std::map<std::pair<uint32_t, uint32_t>, uint64_t>{
                                   {{nr_of("getppid"), TAILOR_DENIAL_KILL_PROCESS}, 1}}));
}

TEST_F(RecorderTest, AKilledThreadIsCountedAsDeniedByKillThreadAndTheProcessLivesOn) {
  const std::string cg = make_cgroup("kill-thread");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  const std::string getppid = std::to_string(nr_of("getppid"));
  EXPECT_EQ(run_denied(cg, "kill_thread", "getppid", {"call-in-thread", getppid}), 0);
  EXPECT_EQ(denied(id_of(cg)), (std::map<std::pair<uint32_t, uint32_t>, uint64_t>{
                                   {{nr_of("getppid"), TAILOR_DENIAL_KILL_THREAD}, 1}}));
}

TEST_F(RecorderTest, CallsAFilterAllowsAreNeverDenials) {
  const std::string cg = make_cgroup("allowed");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  // The filter denies a call the workload never makes; everything it does make is allowed.
  ASSERT_EQ(run_denied(cg, "kill_process", "sched_get_priority_min", {"probe"}), 0);
  EXPECT_TRUE(calls(id_of(cg)).contains(nr_of("getcpu")));
  EXPECT_TRUE(denied(id_of(cg)).empty());
}

TEST_F(RecorderTest, DenialsInCgroupsNobodyRecordsAreIgnored) {
  const std::string root = make_cgroup("node");
  const std::string kept = make_cgroup("node/pod-a/ctr");
  const std::string ignored = make_cgroup("node/pod-b/ctr");
  const std::string outside = make_cgroup("outside");
  ASSERT_TRUE(recorder_->track(id_of(root), TAILOR_TRACK_SPLIT));
  ASSERT_TRUE(recorder_->track(id_of(cgroup_.path() + "/node/pod-b"), TAILOR_TRACK_IGNORE));
  const std::string getppid = std::to_string(nr_of("getppid"));
  ASSERT_EQ(run_denied(kept, "trap", "getppid", {"call", getppid, "1"}), 0);
  ASSERT_EQ(run_denied(ignored, "trap", "getppid", {"call", getppid, "1"}), 0);
  ASSERT_EQ(run_denied(outside, "trap", "getppid", {"call", getppid, "1"}), 0);
  auto all = recorder_->read_denials();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().cgroup_id, id_of(kept));
}

// ERRNO: the filter skips the call, which never reaches sys_enter, and sys_exit sees it fail
// with a number the set lacks (docs/decisions/0009-errno-denials-at-sys-exit.md).
TEST_F(RecorderTest, ErrnoDenialsAreSeenWhileWatchedWithCountAndFirstCaller) {
  const std::string cg = make_cgroup("errno");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_TRUE(recorder_->watch_errno_denials(true));
  EXPECT_TRUE(recorder_->watching_errno_denials());
  const std::string getppid = std::to_string(nr_of("getppid"));
  ASSERT_EQ(run_denied(cg, "errno", "getppid", {"call", getppid, "3"}), 0);
  EXPECT_EQ(denied(id_of(cg)), (std::map<std::pair<uint32_t, uint32_t>, uint64_t>{
                                   {{nr_of("getppid"), TAILOR_DENIAL_ERRNO}, 3}}));
  EXPECT_FALSE(calls(id_of(cg)).contains(nr_of("getppid")));
  expect_one_first_denied_getppid(id_of(cg), TAILOR_DENIAL_ERRNO);
}

// A call the filter allows and that fails on its own is a call made, never a denial.
TEST_F(RecorderTest, AllowedCallsThatFailAreNotErrnoDenials) {
  const std::string cg = make_cgroup("enoent");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  ASSERT_TRUE(recorder_->watch_errno_denials(true));
  ASSERT_EQ(run_denied(cg, "errno", "sched_get_priority_min", {"open-missing", "4"}), 0);
  EXPECT_GE(calls(id_of(cg)).at(nr_of("openat")), 4u);
  EXPECT_TRUE(denied(id_of(cg)).empty());
}

// The hook runs at every syscall's exit, so it is off until asked for, and detached again
// on request; LOG lets the call through and stays a call made, never a denial.
TEST_F(RecorderTest, ErrnoDenialsAreNotSeenUnwatchedAndLogIsACallMade) {
  const std::string cg = make_cgroup("unwatched");
  ASSERT_TRUE(recorder_->track(id_of(cg), TAILOR_TRACK_AGGREGATE));
  EXPECT_FALSE(recorder_->watching_errno_denials());
  ASSERT_TRUE(recorder_->watch_errno_denials(true));
  ASSERT_TRUE(recorder_->watch_errno_denials(true));
  ASSERT_TRUE(recorder_->watch_errno_denials(false));
  EXPECT_FALSE(recorder_->watching_errno_denials());
  const std::string getppid = std::to_string(nr_of("getppid"));
  ASSERT_EQ(run_denied(cg, "errno", "getppid", {"call", getppid, "2"}), 0);
  EXPECT_TRUE(denied(id_of(cg)).empty());

  ASSERT_TRUE(recorder_->watch_errno_denials(true));
  ASSERT_EQ(run_denied(cg, "log", "getppid", {"call", getppid, "2"}), 0);
  EXPECT_TRUE(denied(id_of(cg)).empty());
  EXPECT_EQ(calls(id_of(cg)).at(nr_of("getppid")), 2u);
}

}  // namespace
}  // namespace tailor::agent
