#include "tests/testbed/oci_container.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/testbed/cgroup_layout.h"

namespace tailor::testbed {
namespace {

class OciContainerTest : public ::testing::TestWithParam<OciRuntime> {
 protected:
  void SetUp() override {
    if (auto why = runtime_unavailable(GetParam())) FAIL() << *why;
    std::string dir = (std::filesystem::temp_directory_path() / "tailor-oci-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    work_dir_ = dir;
    cgroup_ = "/tailor-testbed-" + std::to_string(getpid()) + "-oci";
  }
  void TearDown() override {
    for (const auto& m : cgroup_mounts()) (void)remove_cgroup_tree(m + cgroup_);
    std::filesystem::remove_all(work_dir_);
  }
  std::string work_dir_;
  std::string cgroup_;
};

TEST_P(OciContainerTest, RunsACommandInTheGivenCgroup) {
  ContainerSpec spec;
  spec.runtime = GetParam();
  spec.cgroup_path = cgroup_ + "/kubepods/besteffort/podx/" + std::string(64, 'a');
  spec.args = {"sh", "-c", "echo hello; cat /proc/self/cgroup; exit 3"};
  auto r = OciContainer::run(spec, work_dir_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_status, 3) << r->err;
  EXPECT_NE(r->out.find("hello"), std::string::npos);
}

TEST_P(OciContainerTest, StartsKillsAndRemovesADetachedContainer) {
  ContainerSpec spec;
  spec.runtime = GetParam();
  spec.cgroup_path = cgroup_ + "/kubepods.slice/cri-containerd-" + std::string(64, 'b') + ".scope";
  auto c = OciContainer::start(spec, work_dir_);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_GT((*c)->pid(), 0);
  EXPECT_EQ(*(*c)->status(), "running");
  // The container's init is in the cgroup2 directory named by cgroupsPath.
  std::ifstream procs(*cgroup2_mount() + spec.cgroup_path + "/cgroup.procs");
  int pid = 0;
  procs >> pid;
  EXPECT_EQ(pid, (*c)->pid());
  ASSERT_TRUE((*c)->kill(9));
  ASSERT_TRUE((*c)->wait_stopped());
  ASSERT_TRUE((*c)->remove());
  EXPECT_FALSE(std::filesystem::exists(*cgroup2_mount() + spec.cgroup_path));
}

TEST_P(OciContainerTest, AppliesASeccompProfile) {
  ContainerSpec spec;
  spec.runtime = GetParam();
  spec.cgroup_path = cgroup_ + "/seccomp";
  spec.args = {"mkdir", "/tmp/x"};
  spec.seccomp = nlohmann::json{
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64"}},
      {"syscalls",
       {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
  auto r = OciContainer::run(spec, work_dir_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->exit_status, 0);
  EXPECT_NE(r->err.find("not permitted"), std::string::npos) << r->err;
}

INSTANTIATE_TEST_SUITE_P(Runtimes, OciContainerTest,
                         ::testing::Values(OciRuntime::kRunc, OciRuntime::kCrun),
                         [](const auto& info) { return runtime_name(info.param); });

}  // namespace
}  // namespace tailor::testbed
