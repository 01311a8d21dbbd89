#include "tests/testbed/simulated_cluster.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/testbed/kubectl.h"

namespace tailor::testbed {
namespace {

class SimulatedClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = runtime_unavailable(OciRuntime::kRunc)) FAIL() << *why;
    auto started = TestApiServer::start();
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
    auto cluster = SimulatedCluster::create(*server_);
    ASSERT_TRUE(cluster) << cluster.error().message;
    cluster_ = std::move(*cluster);
  }
  std::unique_ptr<TestApiServer> server_;
  std::unique_ptr<SimulatedCluster> cluster_;
};

TEST_F(SimulatedClusterTest, DeploymentOnTwoNodesIsVisibleToKubectl) {
  if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
  ASSERT_TRUE(cluster_->add_node("node-a"));
  ASSERT_TRUE(cluster_->add_node("node-b", CgroupDriver::kSystemd));
  std::vector<const SimulatedPod*> pods;
  for (const char* node : {"node-a", "node-b", "node-a"}) {
    auto pod = cluster_->start_pod(node, {.owner = {"Deployment", "web"}});
    ASSERT_TRUE(pod) << pod.error().message;
    pods.push_back(*pod);
    EXPECT_TRUE(std::filesystem::exists(cluster_->container_cgroup_dir(**pod)));
  }
  auto listed = run_kubectl(*server_, {"get", "pods", "-o", "wide"});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->exit_status, 0) << listed->err;
  for (const auto* p : pods)
    EXPECT_NE(listed->out.find(p->spec.name), std::string::npos) << listed->out;
  EXPECT_NE(listed->out.find("node-a"), std::string::npos);
  EXPECT_NE(listed->out.find("node-b"), std::string::npos);
  EXPECT_NE(listed->out.find("1/1     Running"), std::string::npos) << listed->out;

  const auto object = server_->get_object("v1", "pods", "default", pods[1]->spec.name);
  ASSERT_TRUE(object);
  EXPECT_EQ((*object)["spec"]["nodeName"], "node-b");
  EXPECT_EQ((*object)["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
  EXPECT_EQ((*object)["status"]["containerStatuses"][0]["containerID"],
            "containerd://" + pods[1]->container_id());
  const std::string rs = (*object)["metadata"]["ownerReferences"][0]["name"];
  const auto replicaset = server_->get_object("apps/v1", "replicasets", "default", rs);
  ASSERT_TRUE(replicaset);
  EXPECT_EQ((*replicaset)["metadata"]["ownerReferences"][0]["name"], "web");

  // What the aggregator will write, then read back as a person would.
  nlohmann::json profile = {
      {"metadata", {{"name", "web"}}},
      {"spec",
       {{"defaultAction", "SCMP_ACT_ERRNO"},
        {"syscalls", {{{"action", "SCMP_ACT_ALLOW"}, {"names", {"nanosleep"}}}}}}}};
  ASSERT_TRUE(
      server_->put_object("security-profiles-operator.x-k8s.io/v1", "seccompprofiles", profile));
  auto sps = run_kubectl(*server_, {"get", "seccompprofiles"});
  ASSERT_TRUE(sps);
  EXPECT_NE(sps->out.find("web"), std::string::npos) << sps->out << sps->err;
}

TEST_F(SimulatedClusterTest, KubeletPathsForDriversQosClassesAndRuntimes) {
  auto a = cluster_->add_node("cgfs", CgroupDriver::kCgroupfs, CriFlavor::kCrio);
  auto b = cluster_->add_node("sysd", CgroupDriver::kSystemd, CriFlavor::kContainerd);
  ASSERT_TRUE(a && b);
  auto guaranteed =
      cluster_->start_pod("cgfs", {.owner = {"StatefulSet", "db"}, .qos = QosClass::kGuaranteed});
  auto burstable =
      cluster_->start_pod("sysd", {.owner = {"DaemonSet", "log"}, .qos = QosClass::kBurstable});
  ASSERT_TRUE(guaranteed) << guaranteed.error().message;
  ASSERT_TRUE(burstable) << burstable.error().message;
  EXPECT_EQ((*guaranteed)->spec.name, "db-0");
  const std::string g = cluster_->container_cgroup_dir(**guaranteed);
  EXPECT_NE(g.find((*a)->cgroup_root + "/kubepods/pod" + (*guaranteed)->uid + "/crio-"),
            std::string::npos)
      << g;
  std::string uid = (*burstable)->uid;
  std::replace(uid.begin(), uid.end(), '-', '_');
  const std::string s = cluster_->container_cgroup_dir(**burstable);
  EXPECT_NE(s.find("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid +
                   ".slice/cri-containerd-" + (*burstable)->container_id() + ".scope"),
            std::string::npos)
      << s;
  EXPECT_TRUE(std::filesystem::exists(g));
  EXPECT_TRUE(std::filesystem::exists(s));
}

TEST_F(SimulatedClusterTest, KillsRestartsReschedulesAndTearsDown) {
  ASSERT_TRUE(cluster_->add_node("n1"));
  ASSERT_TRUE(cluster_->add_node("n2"));
  auto pod = cluster_->start_pod("n1", {.owner = {"Job", "batch"}});
  ASSERT_TRUE(pod) << pod.error().message;
  const std::string name = (*pod)->spec.name, first_id = (*pod)->container_id();
  const std::string first_dir = cluster_->container_cgroup_dir(**pod);

  ASSERT_TRUE(cluster_->kill_pod("default", name));
  auto killed = server_->get_object("v1", "pods", "default", name);
  EXPECT_EQ((*killed)["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 137);
  EXPECT_FALSE(std::filesystem::exists(first_dir));

  auto restarted = cluster_->restart_pod("default", name);
  ASSERT_TRUE(restarted) << restarted.error().message;
  EXPECT_NE((*restarted)->container_id(), first_id);
  EXPECT_EQ((*server_->get_object("v1", "pods", "default",
                                  name))["status"]["containerStatuses"][0]["restartCount"],
            1);

  const std::string uid = (*restarted)->uid;
  auto moved = cluster_->reschedule_pod("default", name, "n2");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_NE((*moved)->uid, uid);
  EXPECT_EQ((*moved)->node, "n2");
  EXPECT_FALSE(server_->get_object("v1", "pods", "default", name));

  const std::string root = cluster_->node("n1")->cgroup_dir;
  const std::string live = cluster_->container_cgroup_dir(**moved);
  ASSERT_TRUE(cluster_->teardown());
  EXPECT_FALSE(std::filesystem::exists(root));
  EXPECT_FALSE(std::filesystem::exists(live));
  EXPECT_TRUE(server_->list_objects("v1", "pods").empty());
}

TEST_F(SimulatedClusterTest, RunsPodsWithCrun) {
  if (auto why = runtime_unavailable(OciRuntime::kCrun)) FAIL() << *why;
  ASSERT_TRUE(cluster_->add_node("n1", CgroupDriver::kSystemd, CriFlavor::kCrio));
  auto pod =
      cluster_->start_pod("n1", {.owner = {"Deployment", "api"}, .runtime = OciRuntime::kCrun});
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_TRUE(std::filesystem::exists(cluster_->container_cgroup_dir(**pod)));
}

}  // namespace
}  // namespace tailor::testbed
