// `tailor enforce-patch`, the real binary against the test API server: the command it prints
// is run as it is with the real kubectl, and the workload then names its Tailor profile.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/k8s/profile_names.h"
#include "tests/agent/commands/cli.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::agent {
namespace {

using nlohmann::json;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using testing::run_tailor;
using ::testing::StartsWith;

json container(const std::string& name, const std::string& image) {
  return {{"name", name}, {"image", image}};
}

json pod_template(const json& containers) {
  return {{"metadata", {{"labels", {{"app", "web"}}}}}, {"spec", {{"containers", containers}}}};
}

class EnforcePatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tailor::testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
    auto server = testbed::TestApiServer::start({});
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    put("v1", "namespaces", {{"metadata", {{"name", "shop"}}}});
    put("apps/v1", "deployments",
        {{"metadata", {{"name", "web"}, {"namespace", "shop"}}},
         {"spec",
          {{"replicas", 2},
           {"selector", {{"matchLabels", {{"app", "web"}}}}},
           {"template", pod_template(json::array({container("nginx", "nginx:1.27"),
                                                  container("sidecar", "busybox:1.36")}))}}}});
  }

  void put(const std::string& api_version, const std::string& resource, json object) {
    auto put = server_->put_object(api_version, resource, std::move(object));
    ASSERT_TRUE(put) << put.error().message;
  }

  // The SeccompProfile the aggregator writes for `key`, in `state`.
  void put_profile(const common::WorkloadKey& key, const std::string& state) {
    put("security-profiles-operator.x-k8s.io/v1", "seccompprofiles",
        {{"apiVersion", "security-profiles-operator.x-k8s.io/v1"},
         {"kind", "SeccompProfile"},
         {"metadata",
          {{"name", common::profile_name(key)},
           {"labels",
            {{"app.kubernetes.io/managed-by", "tailor-aggregator"}, {"tailor.dev/state", state}}}}},
         {"spec", {{"defaultAction", "SCMP_ACT_ERRNO"}}}});
  }

  tailor::testing::ProcessResult enforce_patch(std::vector<std::string> args) {
    args.insert(args.begin(), {"enforce-patch", "--kubeconfig", server_->kubeconfig_path()});
    return run_tailor(args);
  }

  // Runs the printed command line as a shell would.
  tailor::testing::ProcessResult run_printed(const std::string& line) {
    return tailor::testing::run_process({"/usr/bin/env",
                                         "KUBECACHEDIR=" + server_->work_dir() + "/kubectl-cache",
                                         "sh", "-c", line});
  }

  json container_of(const std::string& api_version, const std::string& resource,
                    const std::string& name, const json::json_pointer& pod_spec,
                    const std::string& container_name) {
    const auto object = server_->get_object(api_version, resource, "shop", name);
    if (!object) return nullptr;
    for (const json& c : object->at(pod_spec).at("containers"))
      if (c.at("name") == container_name) return c;
    return nullptr;
  }

  std::unique_ptr<testbed::TestApiServer> server_;
};

const common::WorkloadKey kNginx = {"shop", "Deployment", "web", "nginx"};
const json::json_pointer kTemplateSpec{"/spec/template/spec"};

TEST_F(EnforcePatchTest, PrintsAPatchThatKubectlAppliesToTheStableContainersOnly) {
  put_profile(kNginx, "stable");
  const auto printed = enforce_patch({"-n", "shop", "deployment/web"});
  ASSERT_EQ(printed.exit_status, 0) << printed.err;
  EXPECT_EQ(printed.err, "");
  const std::string path = "operator/" + common::profile_name(kNginx) + ".json";
  EXPECT_THAT(printed.out, StartsWith("kubectl --kubeconfig " + server_->kubeconfig_path() +
                                      " -n shop patch deployment web --type strategic -p '"));
  EXPECT_THAT(printed.out, HasSubstr(path));
  EXPECT_EQ(std::count(printed.out.begin(), printed.out.end(), '\n'), 1) << printed.out;

  const auto patched = run_printed(printed.out);
  ASSERT_EQ(patched.exit_status, 0) << patched.err;
  EXPECT_THAT(patched.out, HasSubstr("deployment.apps/web patched"));
  const json nginx = container_of("apps/v1", "deployments", "web", kTemplateSpec, "nginx");
  EXPECT_EQ(nginx.value("image", ""), "nginx:1.27") << "merged by name, not replaced";
  EXPECT_EQ(nginx["securityContext"]["seccompProfile"],
            json({{"type", "Localhost"}, {"localhostProfile", path}}));
  const json sidecar = container_of("apps/v1", "deployments", "web", kTemplateSpec, "sidecar");
  EXPECT_EQ(sidecar, container("sidecar", "busybox:1.36")) << "it has no profile: left alone";
}

TEST_F(EnforcePatchTest, ACronJobIsPatchedInItsJobTemplate) {
  put("batch/v1", "cronjobs",
      {{"metadata", {{"name", "nightly"}, {"namespace", "shop"}}},
       {"spec",
        {{"schedule", "0 3 * * *"},
         {"jobTemplate",
          {{"spec",
            {{"template", pod_template(json::array({container("report", "report:2")}))}}}}}}}});
  const common::WorkloadKey report = {"shop", "CronJob", "nightly", "report"};
  put_profile(report, "stable");
  const auto printed = enforce_patch({"-n", "shop", "cronjob/nightly", "--container", "report"});
  ASSERT_EQ(printed.exit_status, 0) << printed.err;
  const auto patched = run_printed(printed.out);
  ASSERT_EQ(patched.exit_status, 0) << patched.err;
  const json job_container =
      container_of("batch/v1", "cronjobs", "nightly",
                   json::json_pointer("/spec/jobTemplate/spec/template/spec"), "report");
  EXPECT_EQ(job_container["securityContext"]["seccompProfile"]["localhostProfile"],
            "operator/" + common::profile_name(report) + ".json");
  EXPECT_EQ(job_container.value("image", ""), "report:2");
}

TEST_F(EnforcePatchTest, ANamespacedV1beta1ProfileGetsItsNamespacedNodePath) {
  put("security-profiles-operator.x-k8s.io/v1beta1", "seccompprofiles",
      {{"apiVersion", "security-profiles-operator.x-k8s.io/v1beta1"},
       {"kind", "SeccompProfile"},
       {"metadata",
        {{"name", common::profile_name(kNginx)},
         {"namespace", "shop"},
         {"labels", {{"tailor.dev/state", "stable"}}}}},
       {"spec", {{"defaultAction", "SCMP_ACT_ERRNO"}}}});
  const auto printed = enforce_patch({"-n", "shop", "deployment/web"});
  ASSERT_EQ(printed.exit_status, 0) << printed.err;
  EXPECT_THAT(printed.out, HasSubstr("\"localhostProfile\":\"operator/shop/" +
                                     common::profile_name(kNginx) + ".json\""));
}

TEST_F(EnforcePatchTest, RefusesAProfileThatIsNotStableUnlessForced) {
  put_profile(kNginx, "learning");
  expect_one_line_failure(enforce_patch({"-n", "shop", "deployment/web"}), 1,
                          "SeccompProfile " + common::profile_name(kNginx) +
                              " of container nginx is learning, not stable");
  const auto forced = enforce_patch({"-n", "shop", "deployment/web", "--force"});
  EXPECT_EQ(forced.exit_status, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("\"localhostProfile\""));
  EXPECT_THAT(forced.err, HasSubstr("--force: enforcing " + common::profile_name(kNginx) +
                                    ", which is learning"));
  put_profile(kNginx, "denying");
  expect_one_line_failure(enforce_patch({"-n", "shop", "deployment/web"}), 1,
                          "is denying, not stable");
}

TEST_F(EnforcePatchTest, AnEnforcedProfileIsPrintedAndSaidToBeEnforcedAlready) {
  put_profile(kNginx, "enforced");
  const auto printed = enforce_patch({"-n", "shop", "deployment/web", "--container", "nginx"});
  EXPECT_EQ(printed.exit_status, 0) << printed.err;
  EXPECT_THAT(printed.out, HasSubstr("patch deployment web"));
  EXPECT_THAT(printed.err, HasSubstr("already runs under " + common::profile_name(kNginx)));
}

TEST_F(EnforcePatchTest, RefusesWhatHasNoProfileOrCannotBePatched) {
  expect_one_line_failure(enforce_patch({"-n", "shop", "deployment/web"}), 1,
                          "no Tailor SeccompProfile for any container of deployment shop/web");
  put_profile(kNginx, "stable");
  expect_one_line_failure(
      enforce_patch({"-n", "shop", "deployment/web", "--container", "sidecar"}), 1,
      "no Tailor SeccompProfile for deployment shop/web (looked for sidecar (" +
          common::profile_name({"shop", "Deployment", "web", "sidecar"}) + "))");
  expect_one_line_failure(enforce_patch({"-n", "shop", "deployment/web", "--container", "db"}), 1,
                          "deployment shop/web has no container db");
  expect_one_line_failure(enforce_patch({"-n", "shop", "statefulset/web"}), 1,
                          "statefulset shop/web not found");
  expect_one_line_failure(enforce_patch({"-n", "shop", "service/web"}), 2,
                          "service/web: expected KIND/NAME with KIND one of");

  put("v1", "pods",
      {{"metadata", {{"name", "debug"}, {"namespace", "shop"}}},
       {"spec", {{"containers", json::array({container("shell", "busybox:1.36")})}}}});
  const common::WorkloadKey shell = {"shop", "Pod", "debug", "shell"};
  put_profile(shell, "stable");
  expect_one_line_failure(enforce_patch({"-n", "shop", "pod/debug"}), 1,
                          "pod shop/debug cannot be patched (a pod's securityContext is "
                          "immutable): set its containers' securityContext.seccompProfile to "
                          "type Localhost, localhostProfile shell: operator/" +
                              common::profile_name(shell) + ".json");
}

}  // namespace
}  // namespace tailor::agent
