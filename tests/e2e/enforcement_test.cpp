// The enforcement loop of issue #16 on the test bed, end to end: real agents and real runc and
// crun pods, the real aggregator and the test API server read with real kubectl. A workload is
// recorded until stable, its pods are restarted under the profile Tailor wrote (placed where
// SPO puts it on the node), it takes a path never recorded, and the denial shows everywhere a
// person looks; with auto-heal the profile grows and the path works; a sensitive call never
// heals.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "aggregator/writer/profile_object.h"
#include "common/k8s/profile_names.h"
#include "common/profile/oci.h"
#include "tests/aggregator/agents_bed.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"
#include "tests/testbed/kubectl.h"

namespace tailor::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;
using testing::slurp;
using testing::wait_until;

const common::WorkloadKey kWeb = {"shop", "Deployment", "web", "main"};

class EnforcementTest : public aggregator::AgentsBed {
 protected:
  aggregator::AggregatorOptions aggregator_options() const override {
    auto options = AgentsBed::aggregator_options();
    // Stable after 3 s without a new call, on two pods (one runc, one crun).
    options.writer.lifecycle = {.stable_after = std::chrono::seconds(3), .stable_min_pods = 2};
    // The namespace's auto-heal label is read again after a second, not the default 30.
    options.enforcement.opt_in_ttl = std::chrono::seconds(1);
    return options;
  }

  // The busybox loop of the web pods: a request (a file in the shared trigger directory) makes
  // it take a path never recorded, `ionice` (ioprio_set), which says whether it worked; another
  // makes it call `chroot`, security-sensitive.
  std::vector<std::string> web_loop() const {
    const std::string t = trigger_.string();
    return {"sh", "-c",
            "while true; do uname >/dev/null; "
            "if [ -e " +
                t +
                "/go ]; then ionice -c 3 -p $$ && echo path-works; fi; "
                "if [ -e " +
                t +
                "/sensitive ]; then chroot / true; fi; "
                "sleep 0.2; done"};
  }

  testbed::PodSpec web_pod(testbed::OciRuntime runtime) const {
    testbed::PodSpec spec;
    spec.ns = "shop";
    spec.owner = {"Deployment", "web"};
    spec.runtime = runtime;
    spec.args = web_loop();
    spec.host_binds = {trigger_.string()};
    return spec;
  }

  std::string kubectl(const std::vector<std::string>& args) {
    auto ran = testbed::run_kubectl(*server_, args);
    if (!ran) return "kubectl: " + ran.error().message;
    return ran->exit_status == 0 ? ran->out : "kubectl failed: " + ran->err;
  }
  std::string state() {
    const std::string got = kubectl({"get", "seccompprofile", common::profile_name(kWeb), "-o",
                                     "jsonpath={.metadata.labels.tailor\\.dev/state}"});
    return got;
  }
  bool state_becomes(const std::string& wanted, seconds timeout = seconds(30)) {
    return wait_until([&] { return state() == wanted; }, timeout);
  }

  // The aggregator's /metrics.
  std::string aggregator_metrics() {
    httplib::SSLClient client("127.0.0.1", aggregator_->port());
    client.set_ca_cert_path(tls_.ca_file.c_str());
    client.enable_server_certificate_verification(true);
    auto answer = client.Get("/metrics");
    return answer && answer->status == 200 ? answer->body : "";
  }

  // Writes web's profile as OCI JSON where SPO's operator puts it on a node
  // (<kubelet root>/seccomp/operator/<namespace>/<name>.json) and returns its
  // securityContext.seccompProfile.localhostProfile.
  std::string place_profile(const std::string& name) {
    const auto location = aggregator::profile_location(kWeb, aggregator_->writer().api_version());
    auto object =
        server_->get_object(location.api_version, "seccompprofiles", location.namespace_name, name);
    EXPECT_TRUE(object) << name;
    if (!object) return "";
    auto profile = common::profile_from_seccomp_profile(*object);
    EXPECT_TRUE(profile) << profile.error().message;
    if (!profile) return "";
    const std::string localhost = aggregator::spo_localhost_profile(location);
    const fs::path file = kubelet_root_ / "seccomp" / localhost;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << common::encode_profile(profile->profile);
    return localhost;
  }

  // Replaces the web pods by ones that run under the placed profile, as a rollout of the
  // patched Deployment does.
  void roll_out_enforced(const std::string& localhost) {
    for (const auto* pod : cluster_->pods()) {
      if (pod->spec.owner.name != "web") continue;
      auto deleted = cluster_->delete_pod("shop", pod->spec.name);
      ASSERT_TRUE(deleted) << deleted.error().message;
    }
    const json oci = json::parse(slurp(kubelet_root_ / "seccomp" / localhost));
    for (const auto runtime : {testbed::OciRuntime::kRunc, testbed::OciRuntime::kCrun}) {
      testbed::PodSpec spec = web_pod(runtime);
      spec.seccomp = oci;
      spec.seccomp_profile = json{{"type", "Localhost"}, {"localhostProfile", localhost}};
      auto started = cluster_->start_pod("node-a", spec);
      ASSERT_TRUE(started) << testbed::runtime_name(runtime) << ": " << started.error().message;
    }
  }

  void SetUp() override {
    AgentsBed::SetUp();
    if (HasFatalFailure()) return;
    if (auto why = testbed::runtime_unavailable(testbed::OciRuntime::kCrun)) FAIL() << *why;
    if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
    trigger_ = dir_ / "trigger";
    kubelet_root_ = dir_ / "node-a-kubelet";
    fs::create_directories(trigger_);
  }

  fs::path trigger_;
  fs::path kubelet_root_;
};

TEST_F(EnforcementTest, RecordStableEnforceDenyHealUnderRuncAndCrun) {
  auto node = cluster_->add_node("node-a");
  ASSERT_TRUE(node);
  start_agent(**node);
  for (const auto runtime : {testbed::OciRuntime::kRunc, testbed::OciRuntime::kCrun})
    ASSERT_TRUE(cluster_->start_pod("node-a", web_pod(runtime)));
  ASSERT_TRUE(state_becomes("learning")) << state();
  ASSERT_TRUE(state_becomes("stable", seconds(60))) << state();

  const std::string localhost = place_profile(common::profile_name(kWeb));
  ASSERT_FALSE(localhost.empty());
  ASSERT_NO_FATAL_FAILURE(roll_out_enforced(localhost));
  ASSERT_TRUE(state_becomes("enforced")) << state();

  // A request takes a path never recorded: the kernel denies ioprio_set.
  std::ofstream(trigger_ / "go").flush();
  const auto asked = std::chrono::steady_clock::now();
  const auto within_5s = [&](const char* what, const std::function<bool()>& seen) {
    EXPECT_TRUE(wait_until(seen, seconds(5))) << what << " not within 5 s";
  };
  within_5s("the aggregator's denial metric", [&] {
    return aggregator_metrics().find("syscall=\"ioprio_set\"") != std::string::npos;
  });
  within_5s("the state label", [&] { return state() == "denying"; });
  within_5s("an Event", [&] {
    return kubectl({"get", "events", "-n", "shop", "-o",
                    "jsonpath={range .items[*]}{.reason} {.message}{\"\\n\"}{end}"})
               .find("ioprio_set") != std::string::npos;
  });
  within_5s("the proposed profile", [&] {
    return kubectl(
               {"get", "seccompprofile", common::profile_name(kWeb) + "-proposed", "-o", "json"})
               .find("\"ioprio_set\"") != std::string::npos;
  });
  EXPECT_LT(std::chrono::steady_clock::now() - asked, seconds(5));
  EXPECT_FALSE(allowed(kWeb).contains("ioprio_set")) << "healed without the namespace's opt-in";

  // A sensitive call is reported and never healed, even with auto-heal on.
  std::ofstream(trigger_ / "sensitive").flush();
  ASSERT_TRUE(wait_until(
      [&] {
        return kubectl({"get", "seccompprofile", common::profile_name(kWeb), "-o",
                        "jsonpath={.metadata.annotations.tailor\\.dev/denied}"})
                   .find("chroot") != std::string::npos;
      },
      seconds(10)));

  // Auto-heal: the namespace opts in; the profile grows; after a rollout the path works.
  ASSERT_EQ(
      kubectl({"label", "namespace", "shop", "tailor.dev/auto-heal=true"}).rfind("kubectl", 0),
      std::string::npos);
  ASSERT_TRUE(wait_until([&] { return allowed(kWeb).contains("ioprio_set"); }, seconds(20)));
  EXPECT_FALSE(allowed(kWeb).contains("chroot"));
  fs::remove(trigger_ / "sensitive");
  place_profile(common::profile_name(kWeb));
  ASSERT_NO_FATAL_FAILURE(roll_out_enforced(localhost));
  for (const auto* pod : cluster_->pods()) {
    EXPECT_TRUE(wait_until(
        [&] { return pod->container->log_text().find("path-works") != std::string::npos; },
        seconds(20)))
        << testbed::runtime_name(pod->spec.runtime) << ": " << pod->container->log_text();
  }
  EXPECT_FALSE(allowed(kWeb).contains("chroot"));
  EXPECT_EQ(
      kubectl({"get", "seccompprofile", common::profile_name(kWeb) + "-proposed", "-o", "json"})
          .find("\"chroot\""),
      std::string::npos);
}

}  // namespace
}  // namespace tailor::e2e
