#include "agent/k8s/pod_watcher.h"

#include "agent/cgroup/kubelet_path.h"
#include "tests/agent/k8s/api_fixture.h"
#include "tests/testbed/simulated_cluster.h"

namespace tailor::agent {
namespace {

using nlohmann::json;

json pod(const std::string& name, const std::string& node, const std::string& container_id = "") {
  json status = json::object();
  if (!container_id.empty()) {
    status["containerStatuses"] = {
        {{"name", "main"}, {"containerID", "containerd://" + container_id}}};
  }
  return {{"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
          {"spec", {{"nodeName", node}, {"containers", {{{"name", "main"}}}}}},
          {"status", status}};
}

class PodWatcherTest : public ApiFixture {
 protected:
  std::unique_ptr<PodWatcher> watch_node(const std::string& node) {
    auto watcher = std::make_unique<PodWatcher>(
        *client_, PodWatcherOptions{node, fast_reflector()},
        [this](PodChange change, const PodInfo& pod) {
          std::lock_guard lock(mu_);
          const char* name = change == PodChange::kAdded      ? "added"
                             : change == PodChange::kModified ? "modified"
                                                              : "deleted";
          changes_.push_back(std::string(name) + " " + pod.name);
        });
    watcher->start();
    return watcher;
  }

  bool saw(const std::string& change) {
    return wait_until([&] {
      std::lock_guard lock(mu_);
      return std::find(changes_.begin(), changes_.end(), change) != changes_.end();
    });
  }

  std::mutex mu_;
  std::vector<std::string> changes_;
};

TEST_F(PodWatcherTest, KeepsThePodsOfItsNode) {
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-a", "aaa")));
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("b", "node-b", "bbb")));
  auto watcher = watch_node("node-a");
  ASSERT_TRUE(watcher->wait_synced(std::chrono::seconds(10)));
  EXPECT_TRUE(saw("added a"));
  ASSERT_EQ(watcher->pods().size(), 1u);
  EXPECT_EQ(watcher->pod("uid-a")->containers.at("aaa").name, "main");
  EXPECT_FALSE(watcher->pod("uid-b"));

  ASSERT_TRUE(server_->put_object("v1", "pods", pod("c", "node-a")));
  EXPECT_TRUE(saw("added c"));
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("c", "node-a", "ccc")));
  EXPECT_TRUE(saw("modified c"));
  EXPECT_TRUE(watcher->pod("uid-c")->containers.count("ccc"));
  ASSERT_TRUE(server_->delete_object("v1", "pods", "default", "a"));
  EXPECT_TRUE(saw("deleted a"));
  EXPECT_FALSE(watcher->pod("uid-a"));
  EXPECT_EQ(watcher->counters().reflector.relists, 0u);
}

TEST_F(PodWatcherTest, ExpiredWatchIsFollowedByAListThatCatchesUp) {
  auto watcher = watch_node("node-a");
  ASSERT_TRUE(watcher->wait_synced(std::chrono::seconds(10)));
  server_->expire_watches();
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("late", "node-a")));
  EXPECT_TRUE(saw("added late"));
  EXPECT_TRUE(wait_until([&] { return watcher->counters().reflector.relists >= 1; }));
  EXPECT_EQ(watcher->counters().reflector.watch_errors, 0u);  // 410 is routine, not an error
}

TEST_F(PodWatcherTest, GarbageOnTheStreamIsCountedAndSurvived) {
  auto watcher = watch_node("node-a");
  ASSERT_TRUE(watcher->wait_synced(std::chrono::seconds(10)));
  server_->faults().garble_next_watch_events(1);
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("x", "node-a")));
  // The garbled chunk may have been a bookmark or the event itself; the
  // re-list after it finds the pod either way.
  EXPECT_TRUE(saw("added x"));
  EXPECT_TRUE(wait_until([&] { return watcher->counters().reflector.watch_errors >= 1; }));
  EXPECT_TRUE(wait_until([&] { return watcher->counters().reflector.relists >= 1; }));
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("y", "node-a")));
  EXPECT_TRUE(saw("added y"));
}

TEST_F(PodWatcherTest, ListFailuresBackOffAndRecover) {
  server_->faults().fail_next(testbed::Verb::kList, 500, 2);
  server_->faults().fail_next(testbed::Verb::kWatch, 503, 1);
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-a")));
  auto watcher = watch_node("node-a");
  ASSERT_TRUE(watcher->wait_synced(std::chrono::seconds(10)));
  EXPECT_EQ(watcher->counters().reflector.list_errors, 2u);
  EXPECT_TRUE(wait_until([&] { return watcher->counters().reflector.watch_errors == 1; }));
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("b", "node-a")));
  EXPECT_TRUE(saw("added b"));
}

TEST_F(PodWatcherTest, PodsDeletedWhileTheWatchWasDownAreReportedByTheReList) {
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-a")));
  auto watcher = watch_node("node-a");
  ASSERT_TRUE(watcher->wait_synced(std::chrono::seconds(10)));
  EXPECT_TRUE(saw("added a"));
  // Every watch fails from now on, so only a list can tell of the deletion.
  server_->faults().set_error_rate(testbed::Verb::kWatch, 500, 1.0);
  server_->expire_watches();
  ASSERT_TRUE(server_->delete_object("v1", "pods", "default", "a"));
  EXPECT_TRUE(saw("deleted a"));
  EXPECT_FALSE(watcher->pod("uid-a"));
}

TEST_F(PodWatcherTest, StopsPromptly) {
  auto watcher = watch_node("node-a");
  ASSERT_TRUE(watcher->wait_synced(std::chrono::seconds(10)));
  ASSERT_TRUE(wait_until([&] { return server_->request_count(testbed::Verb::kWatch) >= 1; }));
  const auto start = std::chrono::steady_clock::now();
  watcher->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(PodWatcherTest, StopsPromptlyDuringBackoff) {
  server_->faults().set_error_rate(testbed::Verb::kList, 500, 1.0);
  common::ReflectorOptions slow = fast_reflector();
  slow.backoff_initial = slow.backoff_max = std::chrono::milliseconds(60000);
  PodWatcher watcher(*client_, {"node-a", slow});
  watcher.start();
  EXPECT_TRUE(wait_until([&] { return watcher.counters().reflector.list_errors >= 1; }));
  const auto start = std::chrono::steady_clock::now();
  watcher.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

// Real containers in kubelet cgroups: the cgroup a container runs in leads
// to its pod in the cache and to the container's name.
TEST_F(PodWatcherTest, ContainerCgroupsOfSimulatedPodsResolveThroughTheCache) {
  if (auto why = testbed::runtime_unavailable(testbed::OciRuntime::kRunc)) FAIL() << *why;
  auto cluster = testbed::SimulatedCluster::create(*server_);
  ASSERT_TRUE(cluster) << cluster.error().message;
  ASSERT_TRUE(
      (*cluster)->add_node("node-a", testbed::CgroupDriver::kSystemd, testbed::CriFlavor::kCrio));
  auto watcher = watch_node("node-a");
  ASSERT_TRUE(watcher->wait_synced(std::chrono::seconds(10)));
  auto started = (*cluster)->start_pod(
      "node-a", {.owner = {"Deployment", "web"}, .qos = testbed::QosClass::kBurstable});
  ASSERT_TRUE(started) << started.error().message;
  const testbed::SimulatedPod& simulated = **started;

  const auto cgroup = parse_kubelet_cgroup((*cluster)->container_cgroup_dir(simulated));
  ASSERT_TRUE(cgroup) << (*cluster)->container_cgroup_dir(simulated);
  EXPECT_EQ(cgroup->qos, PodQos::kBurstable);
  EXPECT_EQ(cgroup->container_id, simulated.container_id());
  ASSERT_TRUE(wait_until([&] { return watcher->pod(cgroup->pod_uid).has_value(); }));
  const PodInfo info = *watcher->pod(cgroup->pod_uid);
  EXPECT_EQ(info.containers.at(cgroup->container_id).name, "main");
  EXPECT_FALSE(is_sandbox(info, cgroup->container_id));

  auto restarted = (*cluster)->restart_pod("default", simulated.spec.name);
  ASSERT_TRUE(restarted) << restarted.error().message;
  const std::string new_id = (*restarted)->container_id();
  EXPECT_TRUE(wait_until([&] {
    const auto p = watcher->pod(cgroup->pod_uid);
    return p && p->containers.count(new_id);
  }));
}

}  // namespace
}  // namespace tailor::agent
