#include "agent/cgroup/container_lookup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kOther = "0123ffff89abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(ContainerIdFromCgroupName, KnowsEachRuntimesNaming) {
  EXPECT_EQ(container_id_from_cgroup_name("docker-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_cgroup_name("cri-containerd-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_cgroup_name("crio-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_cgroup_name("libpod-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_cgroup_name(kId), kId);
}

TEST(ContainerIdFromCgroupName, RejectsMonitorsSlicesAndShortNames) {
  EXPECT_FALSE(container_id_from_cgroup_name("crio-conmon-" + kId + ".scope"));
  EXPECT_FALSE(container_id_from_cgroup_name("libpod-conmon-" + kId + ".scope"));
  EXPECT_FALSE(container_id_from_cgroup_name("kubepods-besteffort.slice"));
  EXPECT_FALSE(container_id_from_cgroup_name("docker-" + kId.substr(1) + ".scope"));
  EXPECT_FALSE(container_id_from_cgroup_name("system.slice"));
  EXPECT_FALSE(container_id_from_cgroup_name(std::string(64, 'g')));
}

class FindContainerCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tailor-lookup-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "kubepods/besteffort/pod1234" / kId / "nested");
    fs::create_directories(root_ / "system.slice/containerd.service");
    fs::create_directories(root_ / "machine.slice" / ("libpod-" + kOther + ".scope"));
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(FindContainerCgroupTest, FindsByFullIdPrefixAndCriReference) {
  const Cgroup2 cgroups(root_);
  const std::string expected = "/kubepods/besteffort/pod1234/" + kId;
  EXPECT_EQ(*find_container_cgroup(cgroups, kId, {}), expected);
  EXPECT_EQ(*find_container_cgroup(cgroups, kId.substr(0, 8), {}), expected);
  EXPECT_EQ(*find_container_cgroup(cgroups, "containerd://" + kId, {}), expected);
  EXPECT_EQ(*find_container_cgroup(cgroups, "0123ff", {}),
            "/machine.slice/libpod-" + kOther + ".scope");
}

TEST_F(FindContainerCgroupTest, TheRuntimesStateAloneDoesNotWalkTheCgroupTree) {
  const Cgroup2 cgroups(root_);
  EXPECT_TRUE(find_container_cgroup(cgroups, kId, {}, ContainerSearch::cgroups_and_runtime_state));
  auto found = find_container_cgroup(cgroups, kId, {}, ContainerSearch::runtime_state);
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("no container"), std::string::npos);
}

TEST_F(FindContainerCgroupTest, AmbiguousMissingAndMalformedIdsAreErrors) {
  const Cgroup2 cgroups(root_);
  auto ambiguous = find_container_cgroup(cgroups, "0123", {});
  ASSERT_FALSE(ambiguous);
  EXPECT_NE(ambiguous.error().message.find("matches 2 containers"), std::string::npos);
  auto missing = find_container_cgroup(cgroups, "beef", {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no container"), std::string::npos);
  EXPECT_FALSE(find_container_cgroup(cgroups, "012", {}));
  EXPECT_FALSE(find_container_cgroup(cgroups, "XYZW", {}));
}

}  // namespace
}  // namespace tailor::agent
