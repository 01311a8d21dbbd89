#include "agent/k8s/workload.h"

#include "tests/agent/k8s/api_fixture.h"

namespace tailor::agent {
namespace {

using nlohmann::json;

json owner_ref(const std::string& api_version, const std::string& kind, const std::string& name,
               const std::string& uid) {
  return {{"apiVersion", api_version},
          {"kind", kind},
          {"name", name},
          {"uid", uid},
          {"controller", true}};
}

class WorkloadTest : public ApiFixture {
 protected:
  // Stores an object in "shop" owned by `owner` (null: none); returns its uid.
  std::string put(const std::string& api_version, const std::string& resource,
                  const std::string& name, const json& owner = nullptr) {
    json object = {{"metadata", {{"name", name}, {"namespace", "shop"}}}};
    if (!owner.is_null()) object["metadata"]["ownerReferences"] = {owner};
    auto stored = server_->put_object(api_version, resource, object);
    EXPECT_TRUE(stored) << stored.error().message;
    return stored ? (*stored)["metadata"].value("uid", "") : "";
  }

  static PodInfo pod_owned_by(const std::string& kind, const std::string& name,
                              const std::string& uid) {
    PodInfo pod;
    pod.ns = "shop";
    pod.name = name + "-x1y2z";
    pod.uid = "pod-uid";
    if (!kind.empty()) pod.owners.push_back({"v", kind, name, uid, true});
    return pod;
  }

  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    if (!HasFatalFailure()) resolver_ = std::make_unique<WorkloadResolver>(*client_);
  }

  std::unique_ptr<WorkloadResolver> resolver_;
};

TEST_F(WorkloadTest, ReplicaSetLeadsToItsDeploymentOnceThenFromTheCache) {
  const auto deployment = put("apps/v1", "deployments", "web");
  const auto rs = put("apps/v1", "replicasets", "web-7d4f9",
                      owner_ref("apps/v1", "Deployment", "web", deployment));
  const auto pod = pod_owned_by("ReplicaSet", "web-7d4f9", rs);
  EXPECT_EQ(resolver_->workload_of(pod), (Workload{"Deployment", "web"}));
  EXPECT_EQ(resolver_->workload_of(pod), (Workload{"Deployment", "web"}));
  EXPECT_EQ(resolver_->counters().lookups, 1u);
  EXPECT_EQ(resolver_->key_of(pod, "main"),
            (common::WorkloadKey{"shop", "Deployment", "web", "main"}));
}

TEST_F(WorkloadTest, ControllersThatAreWorkloadsNeedNoLookup) {
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("StatefulSet", "db", "u1")),
            (Workload{"StatefulSet", "db"}));
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("DaemonSet", "logs", "u2")),
            (Workload{"DaemonSet", "logs"}));
  // Kinds of other controllers (Argo Rollouts, operators) are taken as they are.
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("Rollout", "canary", "u3")),
            (Workload{"Rollout", "canary"}));
  EXPECT_EQ(resolver_->counters().lookups, 0u);
}

TEST_F(WorkloadTest, BarePodIsItsOwnWorkload) {
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("", "debug", "")),
            (Workload{"Pod", "debug-x1y2z"}));
}

TEST_F(WorkloadTest, JobLeadsToItsCronJob) {
  const auto job = put("batch/v1", "jobs", "backup-28504320",
                       owner_ref("batch/v1", "CronJob", "backup", "cron-uid"));
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("Job", "backup-28504320", job)),
            (Workload{"CronJob", "backup"}));
}

TEST_F(WorkloadTest, OwnerlessReplicaSetAndJobAreTheirOwnWorkloads) {
  const auto rs = put("apps/v1", "replicasets", "plain");
  const auto job = put("batch/v1", "jobs", "once");
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("ReplicaSet", "plain", rs)),
            (Workload{"ReplicaSet", "plain"}));
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("Job", "once", job)), (Workload{"Job", "once"}));
  EXPECT_EQ(resolver_->counters().fallbacks, 0u);
}

TEST_F(WorkloadTest, AMissingOwnerFallsBackToTheImmediateOwnerAndIsRetried) {
  const auto pod = pod_owned_by("ReplicaSet", "web-7d4f9", "rs-uid");
  EXPECT_EQ(resolver_->workload_of(pod), (Workload{"ReplicaSet", "web-7d4f9"}));  // 404
  EXPECT_EQ(resolver_->counters().fallbacks, 1u);

  auto rs = server_->put_object(
      "apps/v1", "replicasets",
      {{"metadata",
        {{"name", "web-7d4f9"},
         {"namespace", "shop"},
         {"uid", "rs-uid"},
         {"ownerReferences", {owner_ref("apps/v1", "Deployment", "web", "d-uid")}}}}});
  ASSERT_TRUE(rs) << rs.error().message;
  EXPECT_EQ(resolver_->workload_of(pod), (Workload{"Deployment", "web"}));
}

// The chaos test lost calls to this: during an API outage the pod's ReplicaSet was taken for
// its workload, and its calls went to a profile no pod uses.
TEST_F(WorkloadTest, AnOwnerTheApiServerDoesNotAnswerForHasNoAnswerYet) {
  const auto deployment = put("apps/v1", "deployments", "web");
  const auto rs = put("apps/v1", "replicasets", "web-7d4f9",
                      owner_ref("apps/v1", "Deployment", "web", deployment));
  const auto pod = pod_owned_by("ReplicaSet", "web-7d4f9", rs);
  for (const int status : {500, 503, 429}) {
    server_->faults().fail_next(testbed::Verb::kGet, status, 2);
    EXPECT_EQ(resolver_->workload_of(pod), std::nullopt) << status;
    EXPECT_EQ(resolver_->key_of(pod, "main"), std::nullopt) << status;
  }
  EXPECT_EQ(resolver_->counters().unanswered, 6u);
  EXPECT_EQ(resolver_->counters().fallbacks, 0u);
  EXPECT_EQ(resolver_->workload_of(pod), (Workload{"Deployment", "web"}));
}

TEST_F(WorkloadTest, ReplacedOwnerIsNotFollowed) {
  const auto rs = put("apps/v1", "replicasets", "web-7d4f9",
                      owner_ref("apps/v1", "Deployment", "web", "d-uid"));
  const auto pod = pod_owned_by("ReplicaSet", "web-7d4f9", "an-older-uid");
  EXPECT_EQ(resolver_->workload_of(pod), (Workload{"ReplicaSet", "web-7d4f9"}));
  EXPECT_EQ(resolver_->counters().fallbacks, 1u);
}

TEST_F(WorkloadTest, OwnerLoopFallsBackToTheImmediateOwner) {
  auto a = server_->put_object(
      "apps/v1", "replicasets",
      {{"metadata",
        {{"name", "a"},
         {"namespace", "shop"},
         {"uid", "uid-a"},
         {"ownerReferences", {owner_ref("apps/v1", "ReplicaSet", "b", "uid-b")}}}}});
  auto b = server_->put_object(
      "apps/v1", "replicasets",
      {{"metadata",
        {{"name", "b"},
         {"namespace", "shop"},
         {"uid", "uid-b"},
         {"ownerReferences", {owner_ref("apps/v1", "ReplicaSet", "a", "uid-a")}}}}});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(resolver_->workload_of(pod_owned_by("ReplicaSet", "a", "uid-a")),
            (Workload{"ReplicaSet", "a"}));
  EXPECT_EQ(resolver_->counters().fallbacks, 1u);
}

}  // namespace
}  // namespace tailor::agent
