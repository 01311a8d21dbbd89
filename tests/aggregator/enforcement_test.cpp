// What the aggregator does about denials in enforced workloads, against the real aggregator over
// HTTPS and the test API server read with real kubectl: Events on the workload, the denials
// metric, the `<name>-proposed` SeccompProfile, auto-heal in an opted-in namespace, a profile
// that never shrinks across restarts, and bad input that is logged, counted and left alone.
#include <gtest/gtest.h>

#include <set>

#include "aggregator/writer/auto_heal_opt_in.h"
#include "aggregator/writer/profile_object.h"
#include "common/k8s/profile_names.h"
#include "common/k8s/seccomp_profile_object.h"
#include "tests/aggregator/https_aggregator_bed.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"

namespace tailor::aggregator {
namespace {

using common::DenialAction;
using nlohmann::json;

const common::WorkloadKey kWeb = {"shop", "Deployment", "web", "nginx"};

common::DeltaDenial denied(uint32_t nr, const std::string& name, uint64_t count,
                           const std::string& pod = "pod-a") {
  return {"x86_64", nr, name, DenialAction::errno_ret, count, 1714564900000, pod, "nginx"};
}

class EnforcementTest : public HttpsAggregatorBed {
 protected:
  void SetUp() override {
    HttpsAggregatorBed::SetUp();
    if (HasFatalFailure()) return;
    if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
    token_ = agent_token("node-a");
  }

  void start_writing() {
    write_profiles_ = true;
    AggregatorOptions options;
    options.writer.debounce = std::chrono::milliseconds(0);
    options.writer.lifecycle = {.stable_after = std::chrono::milliseconds(0), .stable_min_pods = 1};
    options.enforcement.tick = std::chrono::milliseconds(100);
    options.enforcement.opt_in_ttl = std::chrono::milliseconds(0);
    start(options);
  }

  void send(const common::Delta& delta) {
    ASSERT_EQ(post(token_, common::encode_delta(delta)).first, 200);
  }

  // web recorded with `calls` by agent run `agent`, then its pods enforcing its own profile.
  void enforce(const std::vector<std::string>& calls, const std::string& agent = "agent-1") {
    auto recorded = delta_from("node-a", agent, kWeb, calls);
    ASSERT_NO_FATAL_FAILURE(send(recorded));
    ASSERT_TRUE(eventually([&] { return !kubectl_state(*server_, kWeb).empty(); }));
    auto enforcing = batch(kWeb, 2, common::DeltaEnforcement{own(), "Localhost", 2, 2}, {});
    enforcing.agent.id = agent;
    ASSERT_NO_FATAL_FAILURE(send(enforcing));
    ASSERT_TRUE(eventually([&] { return kubectl_state(*server_, kWeb) == "enforced"; }))
        << kubectl_state(*server_, kWeb);
  }

  common::Delta denials(uint64_t seq, std::vector<common::DeltaDenial> calls,
                        const std::string& agent = "agent-1") {
    auto delta = batch(kWeb, seq, std::nullopt, std::move(calls));
    delta.agent.id = agent;
    return delta;
  }

  std::string own() {
    return spo_localhost_profile(profile_location(kWeb, aggregator_->writer().api_version()));
  }

  static bool eventually(const std::function<bool()>& done) {
    return testing::wait_until(done, std::chrono::seconds(20));
  }

  void opt_shop_into_auto_heal() {
    ASSERT_TRUE(server_->put_object(
        "v1", "namespaces",
        {{"apiVersion", "v1"},
         {"kind", "Namespace"},
         {"metadata", {{"name", "shop"}, {"labels", {{kAutoHealLabel, "true"}}}}}}));
  }

  json kubectl_json(const std::vector<std::string>& args) {
    std::vector<std::string> argv = args;
    argv.insert(argv.end(), {"-o", "json"});
    auto got = testbed::run_kubectl(*server_, argv);
    if (!got || got->exit_status != 0) return json();
    return json::parse(got->out, nullptr, false);
  }

  // What `kubectl get events -n shop` lists, one line each.
  std::string kubectl_events() {
    auto got = testbed::run_kubectl(*server_, {"get", "events", "-n", "shop"});
    return got && got->exit_status == 0 ? got->out : "kubectl failed";
  }

  std::vector<json> events_of(const std::string& reason) {
    std::vector<json> out;
    const json listed = kubectl_json({"get", "events", "-n", "shop"});
    if (!listed.is_object()) return out;
    for (const auto& event : listed["items"])
      if (event.value("reason", "") == reason) out.push_back(event);
    return out;
  }

  // The syscall names a SeccompProfile allows, read with kubectl.
  std::set<std::string> allowed(const std::string& name) {
    std::set<std::string> names;
    const json object = kubectl_json({"get", "seccompprofile", name});
    if (!object.is_object()) return names;
    auto profile = common::profile_from_seccomp_profile(object);
    if (!profile) return names;
    for (const auto& rule : profile->profile.syscalls)
      if (rule.action == common::Action::allow) names.insert(rule.names.begin(), rule.names.end());
    return names;
  }

  // The value of a metric line starting with `series`; -1 when there is none.
  double metric(const std::string& series) {
    const std::string text = get("/metrics");
    const auto at = text.find(series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 1));
  }

  static std::string denials_series(const std::string& syscall, bool sensitive,
                                    const std::string& profile = "own",
                                    const std::string& name = "web",
                                    const std::string& container = "nginx") {
    return "tailor_aggregator_denials_total{action=\"errno\",profile=\"" + profile +
           "\",sensitive=\"" + (sensitive ? "true" : "false") + "\",syscall=\"" + syscall +
           "\",workload_container=\"" + container +
           "\",workload_kind=\"Deployment\",workload_name=\"" + name +
           "\",workload_namespace=\"shop\"}";
  }

  static std::string problems_series(const std::string& problem) {
    return "tailor_aggregator_enforcement_problems_total{problem=\"" + problem + "\"}";
  }

  std::string token_;
};

TEST_F(EnforcementTest, DeniedCallsBecomeEventsMetricsAndAProposal) {
  start_writing();
  ASSERT_NO_FATAL_FAILURE(enforce({"read", "write"}));
  ASSERT_NO_FATAL_FAILURE(send(denials(3, {denied(41, "socket", 3), denied(165, "mount", 1)})));

  const std::string proposed = profile_name(kWeb) + "-proposed";
  EXPECT_TRUE(eventually([&] { return allowed(proposed).contains("socket"); })) << kubectl_events();
  const json proposal = kubectl_json({"get", "seccompprofile", proposed});
  ASSERT_TRUE(proposal.is_object());
  EXPECT_EQ(proposal["metadata"]["labels"]["tailor.dev/proposal"], "true");
  EXPECT_EQ(proposal["metadata"]["labels"]["app.kubernetes.io/managed-by"], "tailor-aggregator");
  EXPECT_EQ(proposal["spec"]["state"], "Disabled");
  // The proposal is the enforced profile plus the call; the sensitive one is in neither.
  EXPECT_TRUE(allowed(proposed).contains("read"));
  EXPECT_FALSE(allowed(proposed).contains("mount"));
  EXPECT_FALSE(allowed(profile_name(kWeb)).contains("socket"));
  EXPECT_FALSE(allowed(profile_name(kWeb)).contains("mount"));
  EXPECT_TRUE(eventually([&] { return kubectl_state(*server_, kWeb) == "denying"; }))
      << kubectl_state(*server_, kWeb);

  // Events on the Deployment, listed by kubectl.
  EXPECT_TRUE(eventually([&] {
    return events_of("SeccompDenied").size() == 1 &&
           events_of("SeccompDeniedSensitive").size() == 1 &&
           events_of("SeccompProfileProposed").size() == 1;
  })) << kubectl_events();
  const std::string listed = kubectl_events();
  EXPECT_NE(listed.find("deployment/web"), std::string::npos) << listed;
  const json socket_event = events_of("SeccompDenied").at(0);
  EXPECT_EQ(socket_event["type"], "Warning");
  EXPECT_EQ(socket_event["involvedObject"]["apiVersion"], "apps/v1");
  EXPECT_EQ(socket_event["involvedObject"]["kind"], "Deployment");
  EXPECT_EQ(socket_event["involvedObject"]["namespace"], "shop");
  EXPECT_NE(socket_event["message"].get<std::string>().find(
                "socket (x86_64, errno, 3x, first pod pod-a)"),
            std::string::npos)
      << socket_event;
  const std::string mount_message = events_of("SeccompDeniedSensitive").at(0)["message"];
  EXPECT_NE(mount_message.find("a person must decide"), std::string::npos) << mount_message;
  EXPECT_NE(mount_message.find("never adds it"), std::string::npos) << mount_message;

  EXPECT_TRUE(eventually([&] { return metric(denials_series("socket", false)) == 3; }))
      << get("/metrics");
  EXPECT_EQ(metric(denials_series("mount", true)), 1);

  // More of the same call: the counter grows, no new Event, the proposal is not rewritten.
  const std::string version = proposal["metadata"]["resourceVersion"];
  ASSERT_NO_FATAL_FAILURE(send(denials(4, {denied(41, "socket", 5)})));
  EXPECT_TRUE(eventually([&] { return metric(denials_series("socket", false)) == 5; }));
  EXPECT_EQ(events_of("SeccompDenied").size(), 1u);
  EXPECT_EQ(kubectl_json({"get", "seccompprofile", proposed})["metadata"]["resourceVersion"],
            version);

  // A restarted agent counts from zero in a new run (and says again how its pods run): the
  // counter only adds.
  auto restarted = denials(1, {denied(41, "socket", 2)}, "agent-2");
  restarted.workloads[0].enforcement = common::DeltaEnforcement{own(), "Localhost", 2, 2};
  ASSERT_NO_FATAL_FAILURE(send(restarted));
  EXPECT_TRUE(eventually([&] { return metric(denials_series("socket", false)) == 7; }));
}

TEST_F(EnforcementTest, AutoHealAddsDeniedCallsInAnOptedInNamespaceButNeverSensitiveOnes) {
  ASSERT_NO_FATAL_FAILURE(opt_shop_into_auto_heal());
  start_writing();
  ASSERT_NO_FATAL_FAILURE(enforce({"read", "write"}));
  ASSERT_NO_FATAL_FAILURE(send(denials(3, {denied(41, "socket", 3)})));
  EXPECT_TRUE(eventually([&] { return allowed(profile_name(kWeb)).contains("socket"); }))
      << kubectl_events();
  EXPECT_TRUE(eventually([&] { return kubectl_state(*server_, kWeb) == "enforced"; }))
      << kubectl_state(*server_, kWeb);
  EXPECT_TRUE(eventually([&] { return events_of("SeccompProfileHealed").size() == 1; }))
      << kubectl_events();
  EXPECT_FALSE(
      kubectl_json({"get", "seccompprofile", profile_name(kWeb) + "-proposed"}).is_object());

  // A sensitive call stays denied: reported, never added, the workload keeps denying.
  ASSERT_NO_FATAL_FAILURE(send(denials(4, {denied(165, "mount", 1)})));
  EXPECT_TRUE(eventually([&] { return events_of("SeccompDeniedSensitive").size() == 1; }))
      << kubectl_events();
  EXPECT_TRUE(eventually([&] { return kubectl_state(*server_, kWeb) == "denying"; }))
      << kubectl_state(*server_, kWeb);
  EXPECT_FALSE(allowed(profile_name(kWeb)).contains("mount"));
}

TEST_F(EnforcementTest, AnEnforcedProfileNeverShrinksAcrossRestarts) {
  ASSERT_NO_FATAL_FAILURE(opt_shop_into_auto_heal());
  start_writing();
  ASSERT_NO_FATAL_FAILURE(enforce({"read", "write", "close", "futex"}));
  ASSERT_NO_FATAL_FAILURE(send(denials(3, {denied(41, "socket", 3)})));
  ASSERT_TRUE(eventually([&] { return allowed(profile_name(kWeb)).contains("socket"); }));
  // The namespace opts out again: the next denied call is only proposed.
  ASSERT_TRUE(server_->put_object(
      "v1", "namespaces",
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "shop"}}}}));
  ASSERT_NO_FATAL_FAILURE(send(denials(4, {denied(63, "uname", 1)})));
  ASSERT_TRUE(
      eventually([&] { return allowed(profile_name(kWeb) + "-proposed").contains("uname"); }));
  const std::set<std::string> before = allowed(profile_name(kWeb));

  // A fresh replica, an agent restarted (a new run) that saw only a subset so far.
  aggregator_.reset();
  start_writing();
  ASSERT_TRUE(eventually([&] { return aggregator_->writer().ready(); }));
  ASSERT_NO_FATAL_FAILURE(enforce({"read"}, "agent-3"));
  const std::set<std::string> after = allowed(profile_name(kWeb));
  for (const auto& name : before) EXPECT_TRUE(after.contains(name)) << name << " was lost";
  EXPECT_TRUE(after.contains("socket"));
  // The proposal is never read back as allowed calls.
  EXPECT_FALSE(after.contains("uname"));
  EXPECT_FALSE(aggregator_->store().get(kWeb)->merged.syscalls.contains(
      {"x86_64", 63, common::Phase::workload}));
}

TEST_F(EnforcementTest, BadInputIsLoggedCountedAndNothingForeignIsWritten) {
  start_writing();
  ASSERT_NO_FATAL_FAILURE(enforce({"read", "write"}));
  // An object named like web's proposal that Tailor did not write.
  const std::string proposed = profile_name(kWeb) + "-proposed";
  const json hand_written = {
      {"apiVersion", std::string(common::kSpoGroup) + "/v1"},
      {"kind", "SeccompProfile"},
      {"metadata", {{"name", proposed}}},
      {"spec", {{"defaultAction", "SCMP_ACT_ERRNO"}, {"architectures", {"SCMP_ARCH_X86_64"}}}}};
  ASSERT_TRUE(client_->create(
      common::api_path(std::string(common::kSpoGroup) + "/v1", "seccompprofiles"), hand_written));

  ::testing::internal::CaptureStderr();
  // api's pods run a profile Tailor did not write; db's name its Tailor profile at the path of
  // the other scope.
  const common::WorkloadKey api = {"shop", "Deployment", "api", "app"};
  const common::WorkloadKey db = {"shop", "StatefulSet", "db", "pg"};
  auto foreign =
      batch(api, 1, common::DeltaEnforcement{"operator/shop/hand.json", "Localhost", 1, 1},
            {denied(41, "socket", 1)});
  foreign.workloads.push_back(
      batch(db, 1,
            common::DeltaEnforcement{"operator/shop/" + profile_name(db) + ".json", "Localhost", 1,
                                     1},
            {})
          .workloads[0]);
  ASSERT_NO_FATAL_FAILURE(send(foreign));
  ASSERT_NO_FATAL_FAILURE(send(denials(3, {denied(41, "socket", 3)})));
  EXPECT_TRUE(eventually([&] {
    return metric(problems_series("foreign_profile")) == 1 &&
           metric(problems_series("mismatched_profile")) == 1 &&
           metric(problems_series("proposal_refused")) == 1;
  })) << get("/metrics");
  // The object is left as it was: no calls, no Tailor labels.
  const json kept = kubectl_json({"get", "seccompprofile", proposed});
  EXPECT_FALSE(kept["metadata"].contains("labels")) << kept;
  EXPECT_FALSE(allowed(proposed).contains("socket"));
  // api's denial under a filter that is not its Tailor profile is counted apart.
  EXPECT_EQ(metric(denials_series("socket", false, "other", "api", "app")), 1) << get("/metrics");

  // web's pods go (deleted) while it denies: logged and counted, its series go.
  EXPECT_TRUE(eventually([&] { return metric(denials_series("socket", false)) == 3; }));
  ASSERT_NO_FATAL_FAILURE(send(batch(kWeb, 4, common::DeltaEnforcement{"", "", 0, 0}, {})));
  EXPECT_TRUE(eventually([&] { return metric(problems_series("left_while_denying")) == 1; }))
      << get("/metrics");
  EXPECT_TRUE(eventually([&] { return metric(denials_series("socket", false)) == -1; }));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("operator/shop/hand.json, a profile Tailor did not write"), std::string::npos)
      << log;
  EXPECT_NE(log.find("does not match where SPO installs its Tailor profile"), std::string::npos)
      << log;
  EXPECT_NE(log.find("exists and is not a Tailor proposal"), std::string::npos) << log;
  EXPECT_NE(log.find("no longer runs under its Tailor profile"), std::string::npos) << log;
}

}  // namespace
}  // namespace tailor::aggregator
