#include "common/k8s/workload_kinds.h"

#include <gtest/gtest.h>

namespace tailor::common {
namespace {

using nlohmann::json;

TEST(WorkloadKindsTest, KnowsTheNamesKubectlTakes) {
  for (const char* name : {"deployment", "deployments", "deploy", "Deployment", "DEPLOY"}) {
    ASSERT_NE(workload_kind_by_resource(name), nullptr) << name;
    EXPECT_EQ(workload_kind_by_resource(name)->kind, "Deployment") << name;
  }
  EXPECT_EQ(workload_kind_by_resource("cj")->kind, "CronJob");
  EXPECT_EQ(workload_kind_by_resource("po")->kind, "Pod");
  EXPECT_EQ(workload_kind_by_resource("service"), nullptr);
  EXPECT_EQ(workload_kind("StatefulSet")->plural, "statefulsets");
  EXPECT_EQ(workload_kind("deployment"), nullptr) << "a key's kind is the Kind, exactly";
  EXPECT_EQ(workload_resource_names(),
            "deployment, statefulset, daemonset, replicaset, job, cronjob, pod");
}

// The kinds a pod's owner chain goes through on its way to the workload.
TEST(WorkloadKindsTest, FollowsTheOwnersOfReplicaSetsAndJobsOnly) {
  for (const char* kind : {"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Pod"})
    EXPECT_FALSE(workload_kind(kind)->follow_owner) << kind;
  EXPECT_TRUE(workload_kind("ReplicaSet")->follow_owner);
  EXPECT_TRUE(workload_kind("Job")->follow_owner);
}

TEST(WorkloadKindsTest, FindsTheContainersWhereEachKindKeepsItsPodSpec) {
  const json spec = {{"initContainers", {{{"name", "setup"}}}},
                     {"containers", {{{"name", "app"}, {"image", "app:1"}}, "not a container"}}};
  const json cron = {{"spec", {{"jobTemplate", {{"spec", {{"template", {{"spec", spec}}}}}}}}}};
  const auto found = pod_containers(cron, *workload_kind("CronJob"));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].list, "containers");
  EXPECT_EQ(found[0].container->value("image", ""), "app:1");
  EXPECT_EQ(found[1].list, "initContainers");
  EXPECT_EQ(pod_containers({{"spec", spec}}, *workload_kind("Pod")).size(), 2u);
  EXPECT_TRUE(pod_containers(cron, *workload_kind("Deployment")).empty());
}

}  // namespace
}  // namespace tailor::common
