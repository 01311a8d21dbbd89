#include "tests/testbed/kubectl.h"

#include <gtest/gtest.h>

#include "tests/testbed/reference_data.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::testbed {
namespace {

// Real kubectl 1.32 against the bed over HTTPS with a bearer token.
class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
    auto started = TestApiServer::start();
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
  }
  testing::ProcessResult kubectl(const std::vector<std::string>& args) {
    auto r = run_kubectl(*server_, args);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : testing::ProcessResult{};
  }
  std::unique_ptr<TestApiServer> server_;
};

TEST_F(KubectlTest, AppliesListsAndPrintsSeccompProfiles) {
  auto applied = kubectl({"apply", "-f", reference_dir() + "/spo/example-seccompprofile.yaml"});
  ASSERT_EQ(applied.exit_status, 0) << applied.err;
  EXPECT_NE(applied.out.find(
                "seccompprofile.security-profiles-operator.x-k8s.io/profile-block-all created"),
            std::string::npos);
  auto ssa =
      kubectl({"apply", "--server-side", "-f", reference_dir() + "/spo/baseprofile-runc.yaml"});
  ASSERT_EQ(ssa.exit_status, 0) << ssa.err;

  auto table = kubectl({"get", "seccompprofiles"});
  ASSERT_EQ(table.exit_status, 0) << table.err;
  EXPECT_EQ(table.out.rfind("NAME ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("STATUS"), std::string::npos);
  EXPECT_NE(table.out.find("AGE"), std::string::npos);
  EXPECT_EQ(table.out.find("LOCALHOSTPROFILE"), std::string::npos);  // priority 10: -o wide only
  EXPECT_NE(table.out.find("runc-v1.4.2"), std::string::npos);
  EXPECT_NE(kubectl({"get", "sp", "-o", "wide"}).out.find("LOCALHOSTPROFILE"), std::string::npos);

  auto yaml = kubectl({"get", "sp", "profile-complain-block-high-risk", "-o", "yaml"});
  ASSERT_EQ(yaml.exit_status, 0) << yaml.err;
  EXPECT_NE(yaml.out.find("apiVersion: security-profiles-operator.x-k8s.io/v1"), std::string::npos);
  EXPECT_NE(yaml.out.find("defaultAction: SCMP_ACT_LOG"), std::string::npos);
  EXPECT_NE(yaml.out.find("  - exit_group"), std::string::npos);

  auto names = kubectl({"get", "sp", "-o", "name"});
  EXPECT_NE(
      names.out.find("seccompprofile.security-profiles-operator.x-k8s.io/profile-allow-unsafe"),
      std::string::npos);
}

TEST_F(KubectlTest, ShowsTheServersValidationError) {
  const std::string file =
      std::string(TAILOR_TESTBED_FIXTURES_DIR) + "/invalid-seccompprofile.yaml";
  auto r = kubectl({"create", "-f", file});
  EXPECT_NE(r.exit_status, 0);
  EXPECT_NE(r.err.find("is invalid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("spec.syscalls[0].action: Unsupported value: \"SCMP_ACT_BOGUS\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("spec.syscalls[0].names: Required value"), std::string::npos) << r.err;
}

TEST_F(KubectlTest, ListsResourcesAndLeases) {
  auto r = kubectl({"api-resources"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("seccompprofiles"), std::string::npos);
  EXPECT_NE(r.out.find("leases"), std::string::npos);
  auto leases = kubectl({"get", "leases", "-A"});
  EXPECT_EQ(leases.exit_status, 0) << leases.err;
}

}  // namespace
}  // namespace tailor::testbed
