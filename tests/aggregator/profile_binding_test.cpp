// bind_profile against the test API server: the opt-in label, the image from the pod template,
// an upgrade's new image, and ProfileBindings that are not Tailor's.
#include "aggregator/writer/profile_binding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/k8s/profile_names.h"
#include "tests/aggregator/aggregator_bed.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const common::WorkloadKey kWeb = {"shop", "StatefulSet", "web", "nginx"};
constexpr const char* kBindings = "security-profiles-operator.x-k8s.io/v1alpha1";

class ProfileBindingTest : public AggregatorBed {
 protected:
  void put(const std::string& api_version, const std::string& resource, const json& object) {
    auto stored = server_->put_object(api_version, resource, object);
    ASSERT_TRUE(stored) << stored.error().message;
  }
  void put_namespace(bool opted_in) {
    json labels = json::object();
    if (opted_in) labels["tailor.dev/bind"] = "true";
    put("v1", "namespaces", {{"metadata", {{"name", "shop"}, {"labels", labels}}}});
  }
  void put_workload(const std::string& image) {
    put("apps/v1", "statefulsets",
        {{"metadata", {{"name", "web"}, {"namespace", "shop"}}},
         {"spec",
          {{"template",
            {{"spec", {{"containers", json::array({{{"name", "nginx"}, {"image", image}}})}}}}}}}});
  }
  std::optional<json> binding() {
    return server_->get_object(kBindings, "profilebindings", "shop", common::profile_name(kWeb));
  }
  common::Result<BindOutcome> bind() {
    return bind_profile(*client_, kWeb, common::profile_name(kWeb));
  }
};

TEST_F(ProfileBindingTest, OnlyAnOptedInNamespaceGetsOne) {
  put_namespace(false);
  put_workload("nginx:1.27");
  auto outcome = bind();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, BindOutcome::not_opted_in);
  EXPECT_FALSE(binding());
}

TEST_F(ProfileBindingTest, BindsTheImageAndFollowsAnUpgrade) {
  put_namespace(true);
  put_workload("nginx:1.27");
  auto outcome = bind();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, BindOutcome::created);
  ASSERT_TRUE(binding());
  EXPECT_EQ((*binding())["spec"]["image"], "nginx:1.27");
  EXPECT_EQ((*binding())["spec"]["profileRef"],
            json({{"kind", "SeccompProfile"}, {"name", common::profile_name(kWeb)}}));
  EXPECT_EQ(*bind(), BindOutcome::unchanged);

  put_workload("nginx:1.28");
  outcome = bind();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, BindOutcome::updated);
  EXPECT_EQ((*binding())["spec"]["image"], "nginx:1.28");
}

TEST_F(ProfileBindingTest, NeverTouchesOneThatIsNotTailorsNorBindsAGoneWorkload) {
  put_namespace(true);
  const auto missing = bind();
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("no image for shop/StatefulSet/web:nginx"));
  EXPECT_FALSE(binding());

  put_workload("nginx:1.27");
  const json foreign = {
      {"apiVersion", kBindings},
      {"kind", "ProfileBinding"},
      {"metadata", {{"name", common::profile_name(kWeb)}, {"namespace", "shop"}}},
      {"spec",
       {{"profileRef", {{"kind", "SeccompProfile"}, {"name", "mine"}}}, {"image", "nginx:1.26"}}}};
  put(kBindings, "profilebindings", foreign);
  const auto refused = bind();
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("exists and is not Tailor's"));
  EXPECT_EQ((*binding())["spec"], foreign["spec"]);
}

}  // namespace
}  // namespace tailor::aggregator
