#include "agent/node/attribution.h"

#include <gmock/gmock.h>

#include "tests/agent/k8s/api_fixture.h"
#include "tests/support/wait.h"
#include "tests/testbed/agent_fleet.h"

namespace tailor::agent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using Verdict = Attribution::Verdict;
using Clock = std::chrono::steady_clock;

constexpr const char* kWebId = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
constexpr const char* kSandboxId =
    "ffeeddccbbaa00998877665544332211ffeeddccbbaa00998877665544332211";

class AttributionTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(testbed::put_recorded_namespace(*server_, "shop"));
    const auto deployment = put("apps/v1", "deployments", "shop", "web", nullptr);
    const auto replica_set = put("apps/v1", "replicasets", "shop", "web-7d4f9",
                                 owner("apps/v1", "Deployment", "web", deployment));
    put_pod("shop", "web-7d4f9-x1y2z", "node-a", kWebId,
            owner("apps/v1", "ReplicaSet", "web-7d4f9", replica_set));
    attribution_ = std::make_unique<PodAttribution>(
        *client_, AttributionOptions{.node_name = "node-a",
                                     .unknown_pod_grace = std::chrono::seconds(600),
                                     .reflector = fast_reflector()});
    attribution_->start();
    ASSERT_TRUE(testing::wait_until([&] { return attribution_->synced(); }));
  }
  void TearDown() override {
    if (attribution_) attribution_->stop();
  }

  static json owner(const std::string& api_version, const std::string& kind,
                    const std::string& name, const std::string& uid) {
    return {{"apiVersion", api_version},
            {"kind", kind},
            {"name", name},
            {"uid", uid},
            {"controller", true}};
  }

  // Stores an object; returns the uid the server gave it.
  std::string put(const std::string& api_version, const std::string& resource,
                  const std::string& ns, const std::string& name, const json& owned_by) {
    json object = {{"metadata", {{"name", name}, {"namespace", ns}}}};
    if (!owned_by.is_null()) object["metadata"]["ownerReferences"] = {owned_by};
    auto stored = server_->put_object(api_version, resource, object);
    EXPECT_TRUE(stored) << stored.error().message;
    return stored ? (*stored)["metadata"].value("uid", "") : "";
  }

  void put_pod(const std::string& ns, const std::string& name, const std::string& node,
               const std::string& container_id, const json& owned_by = nullptr,
               const json& annotations = json::object()) {
    json pod = {
        {"metadata",
         {{"name", name}, {"namespace", ns}, {"uid", "uid-" + name}, {"annotations", annotations}}},
        {"spec", {{"nodeName", node}, {"containers", {{{"name", "main"}}}}}},
        {"status",
         {{"containerStatuses",
           {{{"name", "main"}, {"containerID", "containerd://" + container_id}}}}}}};
    if (!owned_by.is_null()) pod["metadata"]["ownerReferences"] = {owned_by};
    ASSERT_TRUE(server_->put_object("v1", "pods", pod));
  }

  // What the attribution says once the watches caught up with the objects put so far.
  Attribution settled(const ContainerIdentity& container, Verdict expected) {
    Attribution answer;
    testing::wait_until([&] {
      answer = attribution_->attribute(container, Clock::now());
      return answer.verdict == expected;
    });
    return answer;
  }

  std::unique_ptr<PodAttribution> attribution_;
};

TEST_F(AttributionTest, AContainerOfASelectedPodIsRecordedAsItsDeploymentsContainer) {
  const auto answer = settled({kWebId, "uid-web-7d4f9-x1y2z", Clock::now()}, Verdict::record);
  ASSERT_EQ(answer.verdict, Verdict::record) << answer.reason;
  EXPECT_EQ(answer.pod_uid, "uid-web-7d4f9-x1y2z");
  EXPECT_EQ(answer.workload, (common::WorkloadKey{"shop", "Deployment", "web", "main"}));
}

// A pod seen while the API server fails every GET (an outage the pod watch came back from
// first): recorded as its ReplicaSet, its calls would never reach its Deployment's profile.
TEST_F(AttributionTest, AContainerIsHeldWhileItsReplicaSetCannotBeReadThenRecordedAsItsDeployment) {
  server_->faults().set_error_rate(testbed::Verb::kGet, 503, 1.0);
  const ContainerIdentity web{kWebId, "uid-web-7d4f9-x1y2z", Clock::now()};
  EXPECT_EQ(attribution_->attribute(web, Clock::now()).verdict, Verdict::held);
  server_->faults().clear();
  const auto answer = attribution_->attribute(web, Clock::now());
  ASSERT_EQ(answer.verdict, Verdict::record) << answer.reason;
  EXPECT_EQ(answer.workload, (common::WorkloadKey{"shop", "Deployment", "web", "main"}));
}

TEST_F(AttributionTest, AContainerGoneBeforeItsPathWasReadIsFoundByItsIdAlone) {
  const auto answer = settled({kWebId, "", Clock::now()}, Verdict::record);
  ASSERT_EQ(answer.verdict, Verdict::record) << answer.reason;
  EXPECT_EQ(answer.pod_uid, "uid-web-7d4f9-x1y2z");
}

TEST_F(AttributionTest, TheSandboxOfAKnownPodIsIgnored) {
  const auto answer =
      attribution_->attribute({kSandboxId, "uid-web-7d4f9-x1y2z", Clock::now()}, Clock::now());
  EXPECT_EQ(answer.verdict, Verdict::ignore);
  EXPECT_THAT(answer.reason, HasSubstr("sandbox (pause) container of pod shop/web-7d4f9-x1y2z"));
}

TEST_F(AttributionTest, PodsNotSelectedAreIgnoredWithTheirName) {
  put_pod("plain", "lone", "node-a",
          "1111111111111111111111111111111111111111111111111111111111111111");
  put_pod("kube-system", "dns", "node-a",
          "2222222222222222222222222222222222222222222222222222222222222222", nullptr,
          {{"tailor.dev/record", "true"}});
  const auto plain = settled({"1111111111111111111111111111111111111111111111111111111111111111",
                              "uid-lone", Clock::now()},
                             Verdict::ignore);
  EXPECT_EQ(plain.verdict, Verdict::ignore);
  EXPECT_EQ(plain.reason, "pod plain/lone is not selected for recording");
  const auto excluded = settled(
      {"2222222222222222222222222222222222222222222222222222222222222222", "uid-dns", Clock::now()},
      Verdict::ignore);
  EXPECT_EQ(excluded.verdict, Verdict::ignore) << "an excluded namespace overrides the annotation";
}

TEST_F(AttributionTest, AContainerWithoutAPodIsHeldForTheGracePeriodThenIgnored) {
  const auto first_seen = Clock::now();
  const ContainerIdentity unknown{
      "3333333333333333333333333333333333333333333333333333333333333333", "", first_seen};
  EXPECT_EQ(attribution_->attribute(unknown, first_seen + std::chrono::seconds(599)).verdict,
            Verdict::held);
  const auto late = attribution_->attribute(unknown, first_seen + std::chrono::seconds(601));
  EXPECT_EQ(late.verdict, Verdict::ignore);
  EXPECT_EQ(late.reason, "no pod claimed it within the grace period");
}

TEST_F(AttributionTest, APodThatArrivesWithinTheGracePeriodIsRecorded) {
  const ContainerIdentity later{"4444444444444444444444444444444444444444444444444444444444444444",
                                "", Clock::now()};
  EXPECT_EQ(attribution_->attribute(later, Clock::now()).verdict, Verdict::held);
  put_pod("shop", "batch", "node-a", later.container_id);
  const auto answer = settled(later, Verdict::record);
  ASSERT_EQ(answer.verdict, Verdict::record) << answer.reason;
  EXPECT_EQ(answer.workload, (common::WorkloadKey{"shop", "Pod", "batch", "main"}));
}

TEST_F(AttributionTest, ACgroupOfNoKnownRuntimeIsIgnored) {
  const auto answer = attribution_->attribute({"", "", Clock::now()}, Clock::now());
  EXPECT_EQ(answer.verdict, Verdict::ignore);
  EXPECT_EQ(answer.reason, "not a container cgroup of a known runtime");
}

}  // namespace
}  // namespace tailor::agent
