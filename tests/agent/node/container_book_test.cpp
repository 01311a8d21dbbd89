#include "agent/node/container_book.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "tests/support/test_cgroup.h"

namespace tailor::agent {
namespace {

using State = ContainerRecord::State;

constexpr const char* kPodA = "6f1c2a3b-0000-4000-8000-00000000000a";
constexpr const char* kPodB = "6f1c2a3b-0000-4000-8000-00000000000b";
const std::string kIdA(64, 'a');
const std::string kIdB(64, 'b');

SyscallCounts calls(std::map<uint32_t, uint64_t> counts) { return {.calls = std::move(counts)}; }

// Real container cgroups laid out as the kubelet's cgroupfs driver lays them out, in a subtree
// of this test's own: the book resolves them by their real ids.
class ContainerBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) FAIL() << "needs root to create cgroups; run the suite as root";
    ASSERT_NO_FATAL_FAILURE(cgroup_.create("/tailor-book-test"));
    book_.emplace(cgroup_.cgroups(), monotonic_ns());
  }

  // The container's cgroup path and id.
  std::pair<std::string, uint64_t> container(const std::string& pod_uid, const std::string& id) {
    const std::string path = cgroup_.path() + "/kubepods/besteffort/pod" + pod_uid + "/" + id;
    EXPECT_TRUE(cgroup_.cgroups().create(path));
    auto cgroup_id = cgroup_.cgroups().id_of(path);
    EXPECT_TRUE(cgroup_id) << cgroup_id.error().message;
    return {path, cgroup_id ? *cgroup_id : 0};
  }

  void remove(const std::string& path) { ASSERT_TRUE(cgroup_.cgroups().destroy(path)); }

  // A container the attribution gave to `workload`.
  void record_as(uint64_t cgroup_id, const common::WorkloadKey& workload) {
    ContainerRecord& record = book_->records().at(cgroup_id);
    record.state = State::recording;
    record.workload = workload;
  }

  tailor::testing::TestCgroup cgroup_;
  std::optional<ContainerBook> book_;
};

const common::WorkloadKey kWeb{"shop", "Deployment", "web", "main"};

TEST_F(ContainerBookTest, LearnsAContainerFromItsSetsWithTheIdsItsPathGives) {
  const auto [path, id] = container(kPodA, kIdA);
  book_->on_sets({{SetKey{id, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 5}, {1, 2}})}});
  ASSERT_EQ(book_->records().size(), 1u);
  const ContainerRecord& record = book_->records().at(id);
  EXPECT_EQ(record.state, State::pending);
  EXPECT_EQ(record.path, path);
  EXPECT_EQ(record.container_id, kIdA);
  EXPECT_EQ(record.pod_uid, kPodA);
  EXPECT_FALSE(record.gone);
  ASSERT_EQ(record.snapshot.syscalls.size(), 2u);
  EXPECT_EQ(record.snapshot.syscalls[0].count, 5u);
  EXPECT_TRUE(record.snapshot.recorder_stats.empty())
      << "the recorder's counters are node-wide: exported once, not copied per container";
}

TEST_F(ContainerBookTest, AFirstSeenEventNamesAContainerGoneBeforeItWasLookedUp) {
  const auto [path, id] = container(kPodA, kIdA);
  remove(path);
  tailor_event event{};
  event.kind = TAILOR_EVENT_FIRST_SEEN;
  event.cgroup_id = event.set_cgroup_id = id;
  event.nr = 0;
  const std::string name = "cri-containerd-" + kIdA + ".scope";
  std::strncpy(event.cgroup_name, name.c_str(), sizeof(event.cgroup_name));
  book_->on_event(event);
  const ContainerRecord& record = book_->records().at(id);
  EXPECT_TRUE(record.gone);
  EXPECT_EQ(record.path, name);
  EXPECT_EQ(record.container_id, kIdA);
  EXPECT_EQ(record.pod_uid, "") << "only its pod's watch can tell";
}

TEST_F(ContainerBookTest, CumulativeStateMergesAWorkloadsContainersAndKeepsFinishedOnes) {
  const auto [path_a, id_a] = container(kPodA, kIdA);
  const auto [path_b, id_b] = container(kPodB, kIdB);
  const std::map<SetKey, SyscallCounts> sets = {
      {SetKey{id_a, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 5}, {1, 2}})},
      {SetKey{id_b, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 3}})}};
  book_->on_sets(sets);
  record_as(id_a, kWeb);
  record_as(id_b, kWeb);
  EXPECT_EQ(book_->recording(), 2u);

  auto state = book_->cumulative_state();
  ASSERT_EQ(state.size(), 1u);
  const WorkloadState& web = state.at(kWeb);
  EXPECT_EQ(web.pods, (std::set<std::string>{kPodA, kPodB}));
  ASSERT_EQ(web.syscalls.size(), 2u);
  EXPECT_EQ(web.syscalls[0].count, 8u) << "calls of both containers";
  const std::string arch = abi_arch(TAILOR_ABI_NATIVE);
  EXPECT_EQ(web.pods_by_syscall.at({arch, 0, common::Phase::workload}), 2u);
  EXPECT_EQ(web.pods_by_syscall.at({arch, 1, common::Phase::workload}), 1u);

  // Gone: read once more, then retired, its slot handed back, its calls kept.
  remove(path_a);
  EXPECT_TRUE(book_->release_finished().retired.empty()) << "one more read first";
  EXPECT_TRUE(book_->records().at(id_a).gone);
  EXPECT_EQ(book_->recording(), 1u);
  book_->on_sets(sets);
  const auto released = book_->release_finished();
  EXPECT_EQ(released.retired, std::vector<uint64_t>{id_a});
  EXPECT_TRUE(released.untracked.empty());
  EXPECT_FALSE(book_->records().contains(id_a));

  state = book_->cumulative_state();
  EXPECT_EQ(state.at(kWeb).pods, (std::set<std::string>{kPodA, kPodB}));
  EXPECT_EQ(state.at(kWeb).syscalls[0].count, 8u);
  EXPECT_EQ(state.at(kWeb).syscalls[1].count, 2u) << "the finished container's own call";
}

TEST_F(ContainerBookTest, IgnoredCgroupsThatAreGoneAreUntrackedAndPendingOnesKept) {
  const auto [ignored_path, ignored] = container(kPodA, kIdA);
  const auto [pending_path, pending] = container(kPodB, kIdB);
  book_->on_sets({{SetKey{ignored, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 1}})},
                  {SetKey{pending, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 1}})}});
  book_->records().at(ignored).state = State::ignored;
  EXPECT_TRUE(book_->release_finished().untracked.empty()) << "both still exist";
  remove(ignored_path);
  remove(pending_path);
  const auto released = book_->release_finished();
  EXPECT_EQ(released.untracked, std::vector<uint64_t>{ignored});
  EXPECT_TRUE(released.retired.empty());
  EXPECT_FALSE(book_->records().contains(ignored));
  EXPECT_TRUE(book_->records().contains(pending)) << "held until its pod decides";
  EXPECT_TRUE(book_->cumulative_state().empty()) << "nothing was recorded for a workload";
}

tailor_event denied_event(uint64_t cgroup_id, uint32_t nr, uint64_t at_ns, const char* comm) {
  tailor_event event{};
  event.kind = TAILOR_EVENT_DENIED;
  event.cgroup_id = event.set_cgroup_id = cgroup_id;
  event.abi = TAILOR_ABI_NATIVE;
  event.nr = nr;
  event.action = TAILOR_DENIAL_ERRNO;
  event.timestamp_ns = at_ns;
  std::strncpy(event.comm, comm, sizeof(event.comm));
  return event;
}

TEST_F(ContainerBookTest, DenialsAndEnforcementPerWorkloadWithThePodDeniedFirst) {
  const auto [path_a, id_a] = container(kPodA, kIdA);
  const auto [path_b, id_b] = container(kPodB, kIdB);
  const std::map<SetKey, SyscallCounts> sets = {
      {SetKey{id_a, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 5}})},
      {SetKey{id_b, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 3}})}};
  book_->on_sets(sets);
  record_as(id_a, kWeb);
  record_as(id_b, kWeb);
  const SeccompProfileRef own{"Localhost", "operator/shop/web.json"};
  book_->records().at(id_a).seccomp = own;
  book_->records().at(id_a).filtered = true;
  book_->records().at(id_b).seccomp = own;  // its runtime has not installed the filter yet
  // b is denied mount first, then a.
  const uint64_t now = monotonic_ns();
  book_->on_event(denied_event(id_b, 165, now + 1'000, "worker"));
  book_->on_event(denied_event(id_a, 165, now + 2'000, "server"));
  const std::vector<Denial> denials = {{id_a, TAILOR_ABI_NATIVE, 165, TAILOR_DENIAL_ERRNO, 3},
                                       {id_b, TAILOR_ABI_NATIVE, 165, TAILOR_DENIAL_ERRNO, 2}};
  book_->on_sets(sets, denials, true);
  EXPECT_EQ(book_->filtered(), 1u);
  EXPECT_EQ(book_->enforced(), 1u);

  auto state = book_->cumulative_state();
  ASSERT_EQ(state.at(kWeb).denied.size(), 1u);
  WorkloadDenial denied = state.at(kWeb).denied[0];
  EXPECT_EQ(denied.call.name, "mount");
  EXPECT_EQ(denied.call.action, common::DenialAction::errno_ret);
  EXPECT_EQ(denied.call.count, 5u) << "both containers' denials";
  EXPECT_EQ(denied.first_pod, kPodB);
  EXPECT_EQ(denied.call.first_caller->comm, "worker");
  EXPECT_EQ(state.at(kWeb).enforcement,
            (common::DeltaEnforcement{own.localhost_profile, own.type, 2, 1}));

  // b finishes: its denials stay in the workload's, its pod leaves the enforcement.
  remove(path_b);
  book_->release_finished();
  book_->on_sets(sets, denials, true);
  EXPECT_EQ(book_->release_finished().retired, std::vector<uint64_t>{id_b});
  state = book_->cumulative_state();
  ASSERT_EQ(state.at(kWeb).denied.size(), 1u);
  denied = state.at(kWeb).denied[0];
  EXPECT_EQ(denied.call.count, 5u);
  EXPECT_EQ(denied.first_pod, kPodB);
  EXPECT_EQ(state.at(kWeb).enforcement,
            (common::DeltaEnforcement{own.localhost_profile, own.type, 1, 1}));

  // a finishes too: nothing of web runs here, its denials remain.
  remove(path_a);
  book_->release_finished();
  book_->on_sets({}, {}, true);
  book_->release_finished();
  state = book_->cumulative_state();
  EXPECT_EQ(state.at(kWeb).denied.at(0).call.count, 5u);
  EXPECT_EQ(state.at(kWeb).enforcement, common::DeltaEnforcement{});
  EXPECT_EQ(book_->enforced(), 0u);
}

// An agent without the host's PID namespace sees no process of the containers in its /proc;
// the recorder still saw the runtime call from a filtered process in the container (the
// runtime-filtered phase): the container runs filtered. The empty cgroups here have no
// process either.
TEST_F(ContainerBookTest, AContainerWhoseRuntimeCalledUnderAFilterIsFilteredWithoutProc) {
  const auto [path_a, id_a] = container(kPodA, kIdA);
  const auto [path_b, id_b] = container(kPodB, kIdB);
  // a: the runtime closed its descriptors and executed the entrypoint under the filter; b: the
  // entrypoint's exec alone, which is all that phase holds without a filter.
  book_->on_sets(
      {{SetKey{id_a, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 5}})},
       {SetKey{id_a, TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED}, calls({{3, 4}, {59, 1}})},
       {SetKey{id_b, TAILOR_ABI_NATIVE, TAILOR_PHASE_WORKLOAD}, calls({{0, 3}})},
       {SetKey{id_b, TAILOR_ABI_NATIVE, TAILOR_PHASE_RUNTIME_FILTERED}, calls({{59, 1}})}});
  record_as(id_a, kWeb);
  record_as(id_b, kWeb);
  book_->read_seccomp_modes();
  EXPECT_TRUE(book_->records().at(id_a).filtered);
  EXPECT_FALSE(book_->records().at(id_b).filtered);
  EXPECT_EQ(book_->filtered(), 1u);
}

}  // namespace
}  // namespace tailor::agent
