#include "common/k8s/profile_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/k8s/object_names.h"

namespace tailor::common {
namespace {

const WorkloadKey kWeb = {"shop", "Deployment", "web", "nginx"};

TEST(ProfileNamesTest, DeterministicValidAndDistinctAcrossNamespaces) {
  const std::string name = profile_name(kWeb);
  EXPECT_EQ(name, profile_name(kWeb));
  EXPECT_THAT(name, ::testing::StartsWith("shop-deployment-web-nginx-"));
  EXPECT_TRUE(check_dns1123_label(name, "name").ok());
  // Dash-joined, these read the same; the hash keeps them apart.
  EXPECT_NE(profile_name({"shop-a", "Deployment", "web", "c"}),
            profile_name({"shop", "Deployment", "a-web", "c"}));
  const WorkloadKey long_key = {"n", "StatefulSet", std::string(200, 'x') + ".y", "c"};
  const std::string long_name = profile_name(long_key);
  EXPECT_EQ(long_name.size(), 63u);
  EXPECT_TRUE(check_dns1123_label(long_name, "name").ok()) << long_name;
  EXPECT_NE(long_name, profile_name({"n", "StatefulSet", std::string(200, 'x') + ".z", "c"}));
}

TEST(ProfileNamesTest, SposNodePathIsNamespacedOnlyForNamespacedObjects) {
  EXPECT_EQ(spo_localhost_profile("", "p"), "operator/p.json");
  EXPECT_EQ(spo_localhost_profile("shop", "p"), "operator/shop/p.json");
}

}  // namespace
}  // namespace tailor::common
