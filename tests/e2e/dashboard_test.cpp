// The Grafana dashboard in the chart and its recording rules: the same PromQL in both, valid
// for promtool, and the Docker default constant counted from the built-in Docker profile. No root:
// tests/e2e/prometheus_test.cpp runs the same queries against a live Prometheus.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "agent/commands/diff_input.h"
#include "common/reference/reference_profiles.h"
#include "common/syscalls/arch.h"
#include "common/util/file.h"
#include "tests/e2e/dashboard_queries.h"
#include "tests/support/process.h"

namespace tailor::e2e {
namespace {

using ::testing::HasSubstr;

constexpr const char* kPromtool = "/usr/bin/promtool";

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(DashboardTest, EveryPanelQueryIsARecordingRuleAndEveryRuleAPanelQuery) {
  const auto queries = dashboard_queries(TAILOR_DASHBOARD);
  ASSERT_TRUE(queries) << queries.error().message;
  const auto rules = recording_rule_exprs(TAILOR_DASHBOARD_RULES);
  ASSERT_TRUE(rules) << rules.error().message;
  std::vector<std::string> exprs;
  for (const auto& query : *queries) exprs.push_back(query.expr);
  ASSERT_GE(exprs.size(), 6u) << "one panel or more for each subject of issue #7";
  EXPECT_EQ(sorted(exprs), sorted(*rules))
      << "edit the dashboard and deploy/prometheus/tailor-dashboard.rules.yaml together";
}

TEST(DashboardTest, PromtoolAcceptsTheRules) {
  if (!std::filesystem::exists(kPromtool)) FAIL() << kPromtool << " is missing (apt prometheus)";
  const auto checked = testing::run_process({kPromtool, "check", "rules", TAILOR_DASHBOARD_RULES});
  EXPECT_EQ(checked.exit_status, 0) << checked.out << checked.err;
  const auto rules = recording_rule_exprs(TAILOR_DASHBOARD_RULES);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_THAT(checked.out, HasSubstr("SUCCESS: " + std::to_string(rules->size()) + " rules found"));
}

TEST(DashboardTest, EveryPanelReadsTheDatasourceVariable) {
  const auto text = common::read_file(TAILOR_DASHBOARD);
  ASSERT_TRUE(text) << text.error().message;
  const auto dashboard = nlohmann::json::parse(*text);
  std::set<int> ids;
  for (const auto& panel : dashboard.at("panels")) {
    EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second) << "duplicate panel id";
    EXPECT_EQ(panel.at("datasource").at("uid"), "${datasource}") << panel.at("title");
    for (const auto& target : panel.at("targets"))
      EXPECT_EQ(target.at("datasource").at("uid"), "${datasource}") << panel.at("title");
  }
}

// The constant the panels compare with is what Docker's profile allows a container with
// Docker's default capabilities on x86_64, counted as `tailor diff --against docker-default`
// counts it, from the copy built into tailor (whose version the panel names).
TEST(DashboardTest, TheDockerDefaultConstantIsCountedFromDockersProfile) {
  if (common::native_arch() != "x86_64") GTEST_SKIP() << "the constant is for x86_64 hosts";
  const auto docker = agent::load_default_profile("docker-default");
  ASSERT_TRUE(docker) << docker.error().message;
  const auto text = common::read_file(TAILOR_DASHBOARD);
  ASSERT_TRUE(text) << text.error().message;
  std::string constant, description;
  const auto dashboard = nlohmann::json::parse(*text);
  for (const auto& variable : dashboard.at("templating").at("list")) {
    if (variable.at("name") != "docker_default_syscalls") continue;
    constant = variable.at("query").get<std::string>();
    description = variable.value("description", "");
  }
  EXPECT_EQ(constant, std::to_string(docker->arches.at("x86_64").size()));
  const auto reference = common::reference_profile("docker-default");
  ASSERT_TRUE(reference.ok());
  EXPECT_THAT(description, HasSubstr(std::string(reference->version)))
      << "the panel names the version of Docker's profile it was counted from";
}

}  // namespace
}  // namespace tailor::e2e
