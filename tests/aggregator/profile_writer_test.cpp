// The SeccompProfile writer against the test API server: valid v1 objects, writes only on
// change, a known object updated without a read, 409s resolved by re-read and union, two
// writers at once, restart, freeze, oldest change first, stop during writes, kubectl, the
// tailor.dev/state label.
#include "aggregator/writer/profile_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <iterator>
#include <sstream>
#include <thread>

#include "aggregator/writer/profile_object.h"
#include "common/k8s/profile_names.h"
#include "common/k8s/seccomp_profile_object.h"
#include "tests/aggregator/aggregator_bed.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"
#include "tests/testbed/kubectl.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;
using testbed::Verb;

const common::WorkloadKey kWeb = {"shop", "Deployment", "web", "nginx"};

// One aggregator replica's store and writer.
struct Replica {
  MergeStore store;
  prometheus::Registry registry;
  std::unique_ptr<ProfileWriter> writer;
};

class ProfileWriterTest : public AggregatorBed {
 protected:
  std::unique_ptr<Replica> replica(WriterOptions options = {},
                                   ProfileWriter::WallClock wall_clock = {}) {
    options.debounce = std::chrono::milliseconds(0);
    options.initial_backoff = std::chrono::milliseconds(10);
    options.max_backoff = std::chrono::milliseconds(50);
    auto r = std::make_unique<Replica>();
    clients_.push_back(new_client());
    r->writer = std::make_unique<ProfileWriter>(*clients_.back(), r->store, r->registry, options,
                                                std::move(wall_clock));
    const auto started = r->writer->start_up();
    EXPECT_TRUE(started) << started.error().message;
    return r;
  }

  // Runs scans until everything is written.
  static void settle(Replica& r) {
    for (int i = 0; i < 200 && r.writer->pending() > 0; ++i) {
      r.writer->run_once();
      if (r.writer->pending() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(r.writer->pending(), 0u);
  }

  std::optional<json> stored(const common::WorkloadKey& key) {
    return server_->get_object(std::string(common::kSpoGroup) + "/v1", "seccompprofiles", "",
                               profile_name(key));
  }

  // The syscall names the stored object allows.
  std::set<std::string> allowed(const common::WorkloadKey& key) {
    std::set<std::string> names;
    auto object = stored(key);
    if (!object) return names;
    auto profile = common::profile_from_seccomp_profile(*object);
    EXPECT_TRUE(profile) << profile.error().message;
    if (!profile) return names;
    for (const auto& rule : profile->profile.syscalls)
      if (rule.action == common::Action::allow) names.insert(rule.names.begin(), rule.names.end());
    return names;
  }

  // What the writer does takes up to 20 s on a loaded machine.
  static bool eventually(const std::function<bool()>& done) {
    return testing::wait_until(done, std::chrono::seconds(20));
  }

  // The stored object's resourceVersion: the order objects were last written in.
  uint64_t written_at(const common::WorkloadKey& key) {
    auto object = stored(key);
    EXPECT_TRUE(object) << "no SeccompProfile for " << common::describe(key);
    return object ? std::stoull((*object)["metadata"].value("resourceVersion", "0")) : 0;
  }

  static double writes(Replica& r, const std::string& result) {
    for (const auto& family : r.registry.Collect()) {
      if (family.name != "tailor_aggregator_crd_writes_total") continue;
      for (const auto& metric : family.metric)
        for (const auto& label : metric.label)
          if (label.name == "result" && label.value == result) return metric.counter.value;
    }
    ADD_FAILURE() << "no crd_writes_total{result=" << result << "}";
    return -1;
  }

  static double gauge(Replica& r, const std::string& name) {
    for (const auto& family : r.registry.Collect())
      if (family.name == name && !family.metric.empty()) return family.metric[0].gauge.value;
    ADD_FAILURE() << "no " << name;
    return -1;
  }

  // The value of a labelled gauge; -1 when the series is missing.
  static double gauge(Replica& r, const std::string& name, const prometheus::ClientMetric::Label& a,
                      const prometheus::ClientMetric::Label& b) {
    for (const auto& family : r.registry.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        const auto has = [&](const prometheus::ClientMetric::Label& wanted) {
          return std::ranges::any_of(metric.label, [&](const auto& label) {
            return label.name == wanted.name && label.value == wanted.value;
          });
        };
        if (has(a) && has(b)) return metric.gauge.value;
      }
    }
    return -1;
  }

  // The tailor.dev/state column of `kubectl get seccompprofiles -L tailor.dev/state` for the
  // profile of `key`.
  std::string kubectl_state(const common::WorkloadKey& key) {
    auto listed =
        testbed::run_kubectl(*server_, {"get", "seccompprofiles", "-L", "tailor.dev/state"});
    if (!listed || listed->exit_status != 0) {
      ADD_FAILURE() << (listed ? listed->err : listed.error().message);
      return "";
    }
    std::istringstream lines(listed->out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::vector<std::string> columns{std::istream_iterator<std::string>(words), {}};
      if (!columns.empty() && columns.front() == profile_name(key)) return columns.back();
    }
    ADD_FAILURE() << "no " << profile_name(key) << " in\n" << listed->out;
    return "";
  }

  static common::WorkloadKey numbered(const char* prefix, int i) {
    char name[32];
    std::snprintf(name, sizeof name, "%s-%03d", prefix, i);
    return {"shop", "Deployment", name, "app"};
  }

  std::vector<std::unique_ptr<common::KubeClient>> clients_;
};

TEST_F(ProfileWriterTest, CreatesAValidV1ObjectAndUpdatesOnlyOnChange) {
  auto r = replica();
  EXPECT_EQ(r->writer->api_version(), "v1");
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read", "write"}), 1000);
  settle(*r);
  auto object = stored(kWeb);
  ASSERT_TRUE(object) << "no SeccompProfile " << profile_name(kWeb);
  EXPECT_EQ((*object)["metadata"]["labels"]["tailor.dev/workload-name"], "web");
  EXPECT_EQ((*object)["metadata"]["annotations"]["tailor.dev/node-count"], "1");
  EXPECT_TRUE(allowed(kWeb).contains("read"));
  const int creates = server_->request_count(Verb::kCreate);
  const int updates = server_->request_count(Verb::kUpdate);

  // More of the same from another node: coverage only, no write.
  r->store.apply(delta_from("node-b", "b1", kWeb, {"read"}), 2000);
  settle(*r);
  r->writer->run_once();
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates);

  r->store.apply(delta_from("node-b", "b1", kWeb, {"uname"}), 3000);
  settle(*r);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates + 1);
  EXPECT_EQ(server_->request_count(Verb::kCreate), creates);
  EXPECT_TRUE(allowed(kWeb).contains("uname"));
}

TEST_F(ProfileWriterTest, ASecondChangeCostsOnePutAndNoRead) {
  auto r = replica();
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  settle(*r);
  const int gets = server_->request_count(Verb::kGet);
  const int updates = server_->request_count(Verb::kUpdate);
  r->store.apply(delta_from("node-a", "a1", kWeb, {"uname"}), 2000);
  settle(*r);
  EXPECT_EQ(server_->request_count(Verb::kGet), gets);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates + 1);
  EXPECT_TRUE(allowed(kWeb).contains("uname"));
  r->store.apply(delta_from("node-a", "a1", kWeb, {"sync"}), 3000);
  settle(*r);
  EXPECT_EQ(server_->request_count(Verb::kGet), gets) << "the resourceVersion of its own write";
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates + 2);
  EXPECT_THAT(allowed(kWeb), ::testing::IsSupersetOf({"read", "uname", "sync"}));
  EXPECT_EQ(writes(*r, "updated"), 2);
  EXPECT_EQ(writes(*r, "conflict"), 0);
}

TEST_F(ProfileWriterTest, ConflictsAndServerErrorsLoseNoSyscall) {
  auto r = replica();
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  settle(*r);
  server_->faults().fail_next(Verb::kUpdate, 409, 3);
  server_->faults().fail_next(Verb::kGet, 500, 2);
  server_->faults().fail_next(Verb::kUpdate, 429, 1);
  r->store.apply(delta_from("node-a", "a1", kWeb, {"write", "sync"}), 2000);
  settle(*r);
  EXPECT_THAT(allowed(kWeb), ::testing::IsSupersetOf({"read", "write", "sync"}));
}

TEST_F(ProfileWriterTest, TwoReplicasWritingAtOnceKeepTheUnion) {
  auto one = replica();
  auto two = replica();
  server_->faults().set_error_rate(Verb::kUpdate, 409, 0.3);
  const std::vector<std::string> names = {"read", "write",  "close", "mmap",      "uname",
                                          "sync", "getpid", "futex", "nanosleep", "exit_group"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    // Each replica hears from a different node.
    Replica& r = i % 2 ? *one : *two;
    r.store.apply(delta_from(i % 2 ? "node-a" : "node-b", i % 2 ? "a" : "b", kWeb, {names[i]}),
                  static_cast<int64_t>(1000 + i));
  }
  std::thread a([&] { settle(*one); });
  std::thread b([&] { settle(*two); });
  a.join();
  b.join();
  server_->faults().clear();
  const auto written = allowed(kWeb);
  for (const auto& name : names) EXPECT_TRUE(written.contains(name)) << name << " was lost";
}

// A replica that starts while the API server cannot list is not ready and says why, keeps
// retrying, and rebuilds once it can: exiting would only be restarted into the same failure.
TEST_F(ProfileWriterTest, AStartUpTheApiServerCannotAnswerIsRetriedUntilItCan) {
  {
    auto r = replica();
    r->store.apply(delta_from("node-a", "a1", kWeb, {"read", "uname"}), 1000);
    settle(*r);
  }
  server_->faults().set_error_rate(Verb::kList, 503, 1.0);
  MergeStore store;
  prometheus::Registry registry;
  clients_.push_back(new_client());
  WriterOptions options;
  options.initial_backoff = std::chrono::milliseconds(10);
  options.max_backoff = std::chrono::milliseconds(50);
  ProfileWriter writer(*clients_.back(), store, registry, options);
  EXPECT_FALSE(writer.start_up());
  writer.start();
  const int lists = server_->request_count(Verb::kList);
  for (int i = 0; i < 200 && server_->request_count(Verb::kList) < lists + 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(server_->request_count(Verb::kList), lists + 3) << "retried";
  EXPECT_FALSE(writer.ready());
  EXPECT_NE(writer.not_ready_reason().find("cannot list existing SeccompProfiles"),
            std::string::npos)
      << writer.not_ready_reason();

  server_->faults().clear();
  for (int i = 0; i < 500 && !writer.ready(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(writer.ready());
  auto rebuilt = store.get(kWeb);
  ASSERT_TRUE(rebuilt) << "the state was rebuilt once the API server answered";
  writer.stop();
}

TEST_F(ProfileWriterTest, ARestartRebuildsStateFromTheObjects) {
  {
    auto r = replica();
    r->store.apply(delta_from("node-a", "a1", kWeb, {"read", "uname"}), 1000);
    r->store.apply(delta_from("node-b", "b1", kWeb, {"read"}), 1000);
    settle(*r);
  }
  auto restarted = replica();
  auto rebuilt = restarted->store.get(kWeb);
  ASSERT_TRUE(rebuilt);
  std::set<std::string> names;
  for (const auto& [id, syscall] : rebuilt->merged.syscalls) names.insert(syscall.name);
  EXPECT_THAT(names, ::testing::IsSupersetOf({"read", "uname"}));
  EXPECT_EQ(rebuilt->merged.nodes.names(), (std::set<std::string>{"node-a", "node-b"}));
  EXPECT_EQ(rebuilt->merged.pods_seen(), 2u) << "pod uids are not in the object, their count is";
  EXPECT_EQ(restarted->writer->pending(), 0u) << "nothing to rewrite after a restart";

  const int updates = server_->request_count(Verb::kUpdate);
  const int gets = server_->request_count(Verb::kGet);
  restarted->store.apply(delta_from("node-a", "a2", kWeb, {"sync"}), 5000);
  settle(*restarted);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates + 1);
  EXPECT_EQ(server_->request_count(Verb::kGet), gets) << "the listed resourceVersion is enough";
  EXPECT_THAT(allowed(kWeb), ::testing::IsSupersetOf({"read", "uname", "sync"}));
  const json annotations = (*stored(kWeb))["metadata"]["annotations"];
  EXPECT_EQ(annotations["tailor.dev/pods-seen"], "2") << "coverage never goes back on a restart";
  EXPECT_EQ(annotations["tailor.dev/node-count"], "2");
}

TEST_F(ProfileWriterTest, AFrozenObjectIsNeverChanged) {
  auto r = replica();
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  settle(*r);
  // A person freezes it between two writes: the writer's next PUT, with the resourceVersion of
  // its own write, is refused, and the read that follows finds the freeze.
  auto object = *stored(kWeb);
  object["metadata"]["annotations"][kFrozenAnnotation] = "true";
  auto frozen =
      server_->put_object(std::string(common::kSpoGroup) + "/v1", "seccompprofiles", object);
  ASSERT_TRUE(frozen) << frozen.error().message;
  const int updates = server_->request_count(Verb::kUpdate);
  r->store.apply(delta_from("node-a", "a1", kWeb, {"uname"}), 2000);
  settle(*r);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates + 1) << "the one refused PUT";
  EXPECT_EQ(writes(*r, "conflict"), 1);
  EXPECT_EQ(writes(*r, "frozen"), 1);
  EXPECT_EQ(*stored(kWeb), *frozen) << "the frozen object changed";

  // Frozen for good: later changes read it, find the freeze and write nothing.
  r->store.apply(delta_from("node-a", "a1", kWeb, {"sync"}), 3000);
  settle(*r);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates + 1);
  EXPECT_EQ(writes(*r, "frozen"), 2);
  EXPECT_EQ(*stored(kWeb), *frozen);
}

TEST_F(ProfileWriterTest, AnObjectDeletedBetweenWritesIsCreatedAgain) {
  auto r = replica();
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  settle(*r);
  ASSERT_TRUE(server_->delete_object(std::string(common::kSpoGroup) + "/v1", "seccompprofiles", "",
                                     profile_name(kWeb)));
  const int creates = server_->request_count(Verb::kCreate);
  r->store.apply(delta_from("node-a", "a1", kWeb, {"uname"}), 2000);
  settle(*r);
  EXPECT_EQ(server_->request_count(Verb::kCreate), creates + 1);
  EXPECT_THAT(allowed(kWeb), ::testing::IsSupersetOf({"read", "uname"}));
  EXPECT_EQ(writes(*r, "error"), 0) << "a 404 on the PUT is not an error: it reads and creates";
}

// The debounce bounds how often one profile is written, not how long a change waits: the
// first change is written at once, the changes within the debounce after it together at its end.
TEST_F(ProfileWriterTest, AChangeIsWrittenAtOnceAndTheNextOnesTogetherAfterTheDebounce) {
  WriterOptions options;
  options.tick = std::chrono::milliseconds(5);
  options.debounce = std::chrono::seconds(5);
  Replica r;
  clients_.push_back(new_client());
  r.writer = std::make_unique<ProfileWriter>(*clients_.back(), r.store, r.registry, options);
  ASSERT_TRUE(r.writer->start_up());
  r.writer->start();
  const auto changed = std::chrono::steady_clock::now();
  r.store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  ASSERT_TRUE(eventually([&] { return allowed(kWeb).contains("read"); }));
  const auto first_seen = std::chrono::steady_clock::now();
  EXPECT_LT(first_seen - changed, options.debounce) << "the first change waited for the debounce";

  const int updates = server_->request_count(Verb::kUpdate);
  r.store.apply(delta_from("node-b", "b1", kWeb, {"uname"}), 2000);
  r.writer->pending();  // learnt now, so both changes fall in the debounce after the first write
  r.store.apply(delta_from("node-c", "c1", kWeb, {"sync"}), 2000);
  std::this_thread::sleep_until(first_seen + std::chrono::seconds(3));
  EXPECT_FALSE(allowed(kWeb).contains("uname")) << "written again within the debounce";
  ASSERT_TRUE(eventually([&] {
    const auto names = allowed(kWeb);
    return names.contains("uname") && names.contains("sync");
  }));
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates + 1) << "one write for both changes";
  r.writer->stop();
}

// The backlog gauge, updated once a second: what is waiting (here the slow API server holds
// it), then nothing once it is written.
TEST_F(ProfileWriterTest, ThePendingGaugeIsTheBacklog) {
  WriterOptions options;
  options.tick = std::chrono::milliseconds(5);
  auto r = replica(options);
  for (int i = 0; i < 3; ++i)
    r->store.apply(delta_from("node-a", "a1", numbered("g", i), {"read"}), 1000);
  server_->faults().set_latency(std::chrono::milliseconds(1500));
  r->writer->start();
  EXPECT_TRUE(eventually([&] { return gauge(*r, "tailor_aggregator_profiles_pending") == 3; }));
  server_->faults().set_latency(std::chrono::milliseconds(0));
  EXPECT_TRUE(eventually([&] { return gauge(*r, "tailor_aggregator_profiles_pending") == 0; }));
  r->writer->stop();
  EXPECT_EQ(writes(*r, "created"), 3);
}

TEST_F(ProfileWriterTest, OldestChangeIsWrittenFirstWhileABacklogDrains) {
  WriterOptions options;
  options.concurrent_writes = 4;
  options.tick = std::chrono::milliseconds(5);
  auto r = replica(options);
  server_->faults().set_latency(std::chrono::milliseconds(10));
  // A backlog, then one change while it drains, then a later burst whose names sort first:
  // were changes taken in batches (or in key order), `late` would wait behind the burst.
  for (int i = 0; i < 120; ++i)
    r->store.apply(delta_from("node-a", "a1", numbered("m", i), {"read"}), 1000);
  r->writer->start();
  ASSERT_TRUE(eventually([&] { return server_->request_count(Verb::kCreate) >= 8; }));
  const common::WorkloadKey late = {"shop", "Deployment", "z-late", "app"};
  r->store.apply(delta_from("node-a", "a1", late, {"read"}), 2000);
  r->writer->pending();  // learns of `late` now, so before the burst
  // The burst must be learnt at a later clock reading than `late`: a window is the point.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int i = 0; i < 60; ++i)
    r->store.apply(delta_from("node-a", "a1", numbered("b", i), {"read"}), 3000);
  ASSERT_LT(server_->request_count(Verb::kCreate), 120) << "the backlog drained too soon to tell";
  ASSERT_TRUE(eventually([&] { return r->writer->pending() == 0; }));
  r->writer->stop();
  EXPECT_EQ(writes(*r, "created"), 181);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), 0) << "each object written once";

  // Writes in flight alongside `late` may land either side of it, on a loaded machine a few
  // rounds of them; taken in key order or in batches, all 60 of the burst would come first.
  const uint64_t late_at = written_at(late);
  int backlog_after = 0;
  int burst_before = 0;
  for (int i = 0; i < 120; ++i) backlog_after += written_at(numbered("m", i)) > late_at;
  for (int i = 0; i < 60; ++i) burst_before += written_at(numbered("b", i)) < late_at;
  EXPECT_LT(backlog_after, 12);
  EXPECT_LT(burst_before, 12);
}

TEST_F(ProfileWriterTest, AChangeDuringItsWriteIsWrittenAfterIt) {
  WriterOptions options;
  options.tick = std::chrono::milliseconds(5);
  auto r = replica(options);
  server_->faults().set_latency(std::chrono::milliseconds(200));
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  r->writer->start();
  ASSERT_TRUE(eventually([&] { return server_->request_count(Verb::kCreate) == 1; }));
  r->store.apply(delta_from("node-a", "a1", kWeb, {"uname"}), 2000);
  EXPECT_TRUE(eventually([&] { return r->writer->pending() == 0; }));
  EXPECT_TRUE(allowed(kWeb).contains("uname"));
  r->writer->stop();
  EXPECT_EQ(server_->request_count(Verb::kCreate), 1);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), 1);
  EXPECT_EQ(writes(*r, "conflict"), 0) << "one object never written by two workers at once";
}

TEST_F(ProfileWriterTest, StopWaitsForTheWritesInFlightOnly) {
  WriterOptions options;
  options.concurrent_writes = 2;
  options.tick = std::chrono::milliseconds(5);
  auto r = replica(options);
  server_->faults().set_latency(std::chrono::milliseconds(100));
  // 40 writes, 2 at a time: 2 s of backlog.
  for (int i = 0; i < 40; ++i)
    r->store.apply(delta_from("node-a", "a1", numbered("m", i), {"read"}), 1000);
  r->writer->start();
  ASSERT_TRUE(eventually([&] { return server_->request_count(Verb::kCreate) >= 1; }));
  const auto stopping = std::chrono::steady_clock::now();
  r->writer->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(1));
  const int creates = server_->request_count(Verb::kCreate);
  // Nothing to wait for: the point is that no write comes in a window after stop().
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server_->request_count(Verb::kCreate), creates) << "a write after stop()";
  EXPECT_GT(r->writer->pending(), 0u);
}

TEST_F(ProfileWriterTest, V1beta1ObjectsLiveInTheWorkloadsNamespace) {
  WriterOptions options;
  options.api_version = "v1beta1";
  auto r = replica(options);
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  settle(*r);
  const auto object = server_->get_object(std::string(common::kSpoGroup) + "/v1beta1",
                                          "seccompprofiles", "shop", profile_name(kWeb));
  ASSERT_TRUE(object);
  EXPECT_EQ((*object)["metadata"]["namespace"], "shop");
  auto restarted = replica(options);
  EXPECT_TRUE(restarted->store.get(kWeb)) << "rebuilt from the namespaced object";
}

TEST_F(ProfileWriterTest, RecordOnlyWritesNothing) {
  WriterOptions options;
  options.record_only = true;
  auto r = replica(options);
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  r->writer->run_once();
  EXPECT_FALSE(stored(kWeb));
  EXPECT_EQ(server_->request_count(Verb::kCreate), 0);
}

TEST_F(ProfileWriterTest, TheStateLabelTurnsStableAfterTheQuietWindowOnEnoughPods) {
  if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
  std::atomic<int64_t> now_ms{10'000};
  WriterOptions options;
  options.lifecycle = {.stable_after = std::chrono::hours(1), .stable_min_pods = 2};
  auto r = replica(options, [&] { return now_ms.load(); });
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), now_ms);
  settle(*r);
  EXPECT_EQ(kubectl_state(kWeb), "learning");

  // A second pod, quiet for the window: the label follows without any new call.
  r->store.apply(delta_from("node-b", "b1", kWeb, {"read"}), now_ms);
  now_ms += 3600 * 1000;
  EXPECT_TRUE(eventually([&] {
    r->writer->run_once();
    return stored(kWeb)->at("metadata").at("labels").value("tailor.dev/state", "") == "stable";
  }));
  EXPECT_EQ(kubectl_state(kWeb), "stable");
  const prometheus::ClientMetric::Label web{"workload_name", "web"};
  EXPECT_EQ(gauge(*r, "tailor_aggregator_workload_state", web, {"state", "stable"}), 1);
  EXPECT_EQ(gauge(*r, "tailor_aggregator_workload_state", web, {"state", "learning"}), 0);

  // A restarted replica reads the label back and writes nothing for it.
  const int updates = server_->request_count(Verb::kUpdate);
  auto restarted = replica(options, [&] { return now_ms.load(); });
  restarted->writer->run_once();
  settle(*restarted);
  EXPECT_EQ(server_->request_count(Verb::kUpdate), updates);

  // A new call: learning again.
  restarted->store.apply(delta_from("node-a", "a2", kWeb, {"sync"}), now_ms);
  EXPECT_TRUE(eventually([&] {
    restarted->writer->run_once();
    return stored(kWeb)->at("metadata").at("labels").value("tailor.dev/state", "") == "learning";
  }));
}

TEST_F(ProfileWriterTest, KubectlListsTheProfile) {
  if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
  auto r = replica();
  r->store.apply(delta_from("node-a", "a1", kWeb, {"read"}), 1000);
  settle(*r);
  auto listed = testbed::run_kubectl(
      *server_, {"get", "seccompprofiles", "-l", "tailor.dev/workload-name=web"});
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->exit_status, 0) << listed->err;
  EXPECT_NE(listed->out.find(profile_name(kWeb)), std::string::npos) << listed->out;
}

}  // namespace
}  // namespace tailor::aggregator
