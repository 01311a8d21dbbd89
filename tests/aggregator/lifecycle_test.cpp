// The lifecycle of a workload container (learning, stable, enforced, denying), the heal
// policy and the Event rate limit, on evidence as agents report it.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <set>

#include "aggregator/lifecycle/denial_metrics.h"
#include "aggregator/lifecycle/heal_policy.h"
#include "aggregator/lifecycle/workload_state.h"
#include "aggregator/writer/profile_object.h"
#include "common/syscalls/categories.h"
#include "common/syscalls/names.h"

namespace tailor::aggregator {
namespace {

using common::DenialAction;
using namespace std::chrono_literals;

constexpr int64_t kHour = 3600 * 1000;
constexpr const char* kOwn = "operator/shop/shop-deployment-web-nginx-0123456789.json";

// x86_64: 0 read, 1 write, 165 mount, 41 socket.
AllowedCall allowing(std::set<uint32_t> nrs) {
  return
      [nrs](const std::string& arch, uint32_t nr) { return arch == "x86_64" && nrs.contains(nr); };
}

ObservedDenial denial(uint32_t nr, std::string name, DenialAction action, uint64_t count,
                      int64_t first_ms = 0, std::string pod = "") {
  return {"x86_64", nr, std::move(name), action, count, first_ms, std::move(pod)};
}

WorkloadEvidence quiet_for(int64_t ms, uint64_t pods, int64_t now) {
  return {.last_discovery_unix_ms = now - ms, .pods_seen = pods, .nodes = {}};
}

TEST(WorkloadStateTest, LearningUntilQuietLongEnoughOnEnoughPods) {
  const LifecycleOptions options{.stable_after = 24h, .stable_min_pods = 2};
  const int64_t now = 1000 * kHour;
  const auto state = [&](const WorkloadEvidence& evidence) {
    return assess(evidence, kOwn, allowing({}), now, options).state;
  };
  EXPECT_EQ(state(quiet_for(23 * kHour, 5, now)), WorkloadState::learning);
  EXPECT_EQ(state(quiet_for(24 * kHour, 1, now)), WorkloadState::learning);
  EXPECT_EQ(state(quiet_for(24 * kHour, 2, now)), WorkloadState::stable);
  EXPECT_EQ(state(quiet_for(0, 2, now)), WorkloadState::learning);
}

TEST(WorkloadStateTest, EnforcedOnlyUnderItsOwnProfile) {
  const int64_t now = 1000 * kHour;
  auto evidence = quiet_for(48 * kHour, 3, now);
  evidence.nodes[1] = {.localhost_profile = kOwn, .pods_filtered = 2, .denied = {}};
  evidence.nodes[2] = {
      .localhost_profile = "operator/shop/hand-written.json", .pods_filtered = 1, .denied = {}};
  const auto enforced = assess(evidence, kOwn, allowing({0, 1}), now, {});
  EXPECT_EQ(enforced.state, WorkloadState::enforced);
  EXPECT_EQ(enforced.pods_enforced, 2u);
  EXPECT_EQ(enforced.foreign_profiles, std::vector<std::string>{"operator/shop/hand-written.json"});

  // A profile named like this one but filtering nothing, or another one only: not enforced.
  evidence.nodes[1].pods_filtered = 0;
  const auto other = assess(evidence, kOwn, allowing({0, 1}), now, {});
  EXPECT_EQ(other.state, WorkloadState::stable);
  EXPECT_EQ(other.pods_enforced, 0u);
  // An empty own profile (none written yet) matches no pod that names no profile.
  evidence.nodes[1] = {.localhost_profile = "", .pods_filtered = 2, .denied = {}};
  EXPECT_EQ(assess(evidence, "", allowing({}), now, {}).state, WorkloadState::stable);
}

TEST(WorkloadStateTest, DenyingWhenItsProfileDeniesAndEnforcedAgainOnceHealed) {
  const int64_t now = 1000 * kHour;
  auto evidence = quiet_for(48 * kHour, 3, now);
  evidence.nodes[1] = {.localhost_profile = kOwn,
                       .pods_filtered = 1,
                       .denied = {denial(41, "socket", DenialAction::trap, 3, 500, "web-1")}};
  evidence.nodes[2] = {
      .localhost_profile = kOwn,
      .pods_filtered = 1,
      .denied = {denial(41, "socket", DenialAction::trap, 4, 200, "web-2"),
                 denial(165, "mount", DenialAction::kill_process, 1, 300, "web-2")}};
  const auto denying = assess(evidence, kOwn, allowing({0, 1}), now, {});
  EXPECT_EQ(denying.state, WorkloadState::denying);
  ASSERT_EQ(denying.denied.size(), 2u);
  // Summed over nodes, with the earliest sighting's pod.
  EXPECT_EQ(denying.denied[0], denial(41, "socket", DenialAction::trap, 7, 200, "web-2"));
  EXPECT_EQ(denying.denied[1].name, "mount");
  EXPECT_TRUE(denying.denied_elsewhere.empty());

  // The profile grew by both calls (healed): the agents' cumulative counts stay, the state
  // goes back to enforced.
  const auto healed = assess(evidence, kOwn, allowing({0, 1, 41, 165}), now, {});
  EXPECT_EQ(healed.state, WorkloadState::enforced);
  EXPECT_TRUE(healed.denied.empty());
}

TEST(WorkloadStateTest, DenialsUnderAnotherFilterAreShownButNeverDenying) {
  const int64_t now = 1000 * kHour;
  auto evidence = quiet_for(1 * kHour, 3, now);
  evidence.nodes[1] = {.localhost_profile = "",
                       .pods_filtered = 2,  // RuntimeDefault
                       .denied = {denial(165, "mount", DenialAction::kill_process, 1)}};
  const auto assessed = assess(evidence, kOwn, allowing({}), now, {});
  EXPECT_EQ(assessed.state, WorkloadState::learning);
  EXPECT_TRUE(assessed.denied.empty());
  ASSERT_EQ(assessed.denied_elsewhere.size(), 1u);
  EXPECT_EQ(assessed.denied_elsewhere[0].name, "mount");
  EXPECT_TRUE(assessed.foreign_profiles.empty());
}

TEST(WorkloadStateTest, NamesAreTheLabelValues) {
  std::vector<std::string> names;
  for (auto state : all_workload_states()) names.emplace_back(workload_state_name(state));
  EXPECT_EQ(names, (std::vector<std::string>{"learning", "stable", "enforced", "denying"}));
}

TEST(HealPolicyTest, SensitiveAndUnnamedCallsAreHeldBackForAPerson) {
  const auto plan = heal_plan({denial(41, "socket", DenialAction::trap, 2),
                               denial(41, "socket", DenialAction::kill_process, 1),
                               denial(165, "mount", DenialAction::kill_process, 1),
                               denial(321, "bpf", DenialAction::trap, 1),
                               denial(999, "", DenialAction::trap, 1)});
  ASSERT_EQ(plan.add.size(), 1u);
  EXPECT_EQ(plan.add[0].name, "socket");
  ASSERT_EQ(plan.held_back.size(), 3u);
  EXPECT_EQ(plan.held_back[0].denial.name, "mount");
  EXPECT_NE(plan.held_back[0].reason.find(common::sensitivity_reason("mount")), std::string::npos);
  EXPECT_NE(plan.held_back[0].reason.find("a person must decide"), std::string::npos);
  EXPECT_EQ(plan.held_back[1].denial.name, "bpf");
  EXPECT_NE(plan.held_back[2].reason.find("no name"), std::string::npos);
}

// The calls never healed automatically are the one list the reports flag
// (tests/common/syscalls/categories_test.cpp holds the list against it): the heal
// policy holds back every x86_64 call that list flags, and lets the others through.
TEST(HealPolicyTest, HoldsBackEverySecuritySensitiveCallAndNoOther) {
  std::size_t held_back = 0;
  for (uint32_t nr = 0; nr < 1024; ++nr) {
    const auto name = common::syscall_name("x86_64", nr);
    ASSERT_TRUE(name.ok()) << name.error().message;
    if (!*name) continue;
    const auto plan = heal_plan({denial(nr, **name, DenialAction::trap, 1)});
    const bool sensitive = common::is_security_sensitive(**name);
    EXPECT_EQ(plan.held_back.size(), sensitive ? 1u : 0u) << **name;
    EXPECT_EQ(plan.add.size(), sensitive ? 0u : 1u) << **name;
    held_back += plan.held_back.size();
  }
  EXPECT_GT(held_back, 50u);
}

// The counter per (workload, syscall, action, ...) and its value, from a real registry.
std::map<std::string, double> denial_counters(prometheus::Registry& registry) {
  std::map<std::string, double> out;
  for (const auto& family : registry.Collect()) {
    for (const auto& metric : family.metric) {
      std::string name;
      for (const auto& label : metric.label)
        if (label.name == "workload_name" || label.name == "syscall" || label.name == "profile" ||
            label.name == "sensitive")
          name += label.value + " ";
      out[name] = metric.counter.value;
    }
  }
  return out;
}

TEST(DenialMetricsTest, CountsOnlyGrowthWhateverRestartsAndDropsGoneWorkloads) {
  prometheus::Registry registry;
  DenialMetrics metrics(registry);
  const common::WorkloadKey web{"shop", "Deployment", "web", "nginx"};
  const common::WorkloadKey api{"shop", "Deployment", "api", "app"};
  Assessment denying;
  denying.denied = {denial(41, "socket", DenialAction::errno_ret, 5),
                    denial(165, "mount", DenialAction::errno_ret, 1)};
  Assessment elsewhere;
  elsewhere.denied_elsewhere = {denial(41, "socket", DenialAction::errno_ret, 2)};
  metrics.update({{web, denying}, {api, elsewhere}});
  EXPECT_EQ(denial_counters(registry),
            (std::map<std::string, double>{{"other false socket api ", 2},
                                           {"own true mount web ", 1},
                                           {"own false socket web ", 5}}));

  // An agent run ended (the sum fell to 3), then its successor counted on: only growth adds.
  denying.denied[0].count = 3;
  metrics.update({{web, denying}, {api, elsewhere}});
  denying.denied[0].count = 4;
  metrics.update({{web, denying}, {api, elsewhere}});
  EXPECT_EQ(denial_counters(registry)["own false socket web "], 6);

  // api is gone: its series go, web's stay.
  metrics.update({{web, denying}});
  const auto left = denial_counters(registry);
  EXPECT_FALSE(left.contains("other false socket api "));
  EXPECT_EQ(left.size(), 2u);
}

TEST(SpoLocalhostProfileTest, FollowsSposNodePathPerScope) {
  const common::WorkloadKey key{"shop", "Deployment", "web", "nginx"};
  const auto namespaced = profile_location(key, "v1beta1");
  EXPECT_EQ(spo_localhost_profile(namespaced), "operator/shop/" + namespaced.name + ".json");
  const auto cluster = profile_location(key, "v1");
  EXPECT_EQ(spo_localhost_profile(cluster), "operator/" + cluster.name + ".json");
}

}  // namespace
}  // namespace tailor::aggregator
