// A real Prometheus scrapes a live agent (recording a real runc container on a simulated
// node) and the live aggregator (HTTPS, the bed's CA), and answers every query of the Grafana
// dashboard; promtool accepts both /metrics. Root, runc, kernel BTF and Debian's prometheus.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "common/util/file.h"
#include "tests/aggregator/agents_bed.h"
#include "tests/e2e/dashboard_queries.h"
#include "tests/e2e/prometheus_server.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"

namespace tailor::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::slurp;

constexpr const char* kPromtool = "/usr/bin/promtool";

// What `promtool check metrics` says about an exposition: empty when it has no complaint.
std::string promtool_complaints(const std::string& exposition, const fs::path& dir) {
  const std::string file = (dir / "metrics.txt").string();
  if (!common::write_file_atomically(file, exposition)) return "cannot write " + file;
  const auto checked =
      testing::run_process({"/bin/sh", "-c", std::string(kPromtool) + " check metrics < " + file});
  if (checked.exit_status != 0 && checked.out.empty() && checked.err.empty())
    return "promtool exited " + std::to_string(checked.exit_status);
  return checked.out + checked.err;
}

// The label sets of a series answer, without the ones Prometheus adds.
std::vector<std::map<std::string, std::string>> label_sets(const json& series) {
  std::vector<std::map<std::string, std::string>> sets;
  for (const auto& labels : series) {
    std::map<std::string, std::string> set = labels.get<std::map<std::string, std::string>>();
    set.erase("__name__");
    set.erase("instance");
    sets.push_back(std::move(set));
  }
  return sets;
}

class PrometheusTest : public aggregator::AgentsBed {
 protected:
  void SetUp() override {
    for (const char* tool : {PrometheusServer::kBinary, kPromtool})
      if (!fs::exists(tool)) FAIL() << tool << " is missing (apt prometheus)";
    AgentsBed::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
  }

  // Starts an agent on a new node and returns the port it serves on.
  int start_node_agent(const std::vector<std::string>& agent_args = {}) {
    auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                   testbed::CriFlavor::kContainerd);
    EXPECT_TRUE(node) << node.error().message;
    if (!node) return 0;
    agent_log_ = start_agent(**node, agent_args).err_path;
    const std::string serving = slurp(agent_log_);
    const auto at = serving.find("on port ");
    EXPECT_NE(at, std::string::npos) << serving;
    return at == std::string::npos ? 0 : std::stoi(serving.substr(at + 8));
  }

  common::Status start_web() {
    testbed::PodSpec web;
    web.ns = "shop";
    web.owner = {"Deployment", "web"};
    web.args = {"sh", "-c", "while true; do uname >/dev/null; sleep 0.2; done"};
    auto started = cluster_->start_pod("node-a", web);
    if (!started) return started.error();
    return common::ok_status();
  }

  std::string scrape_config(int agent_port) const {
    return "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n"
           "rule_files: ['" TAILOR_DASHBOARD_RULES
           "']\n"
           "scrape_configs:\n"
           "  - job_name: tailor-agent\n"
           "    static_configs: [{targets: ['127.0.0.1:" +
           std::to_string(agent_port) +
           "']}]\n"
           "  - job_name: tailor-aggregator\n"
           "    scheme: https\n"
           "    tls_config: {ca_file: '" +
           tls_.ca_file +
           "'}\n"
           "    static_configs: [{targets: ['127.0.0.1:" +
           std::to_string(aggregator_->port()) + "']}]\n";
  }

  std::string agent_log_;
};

// The dashboard's query of the panel titled `title`.
std::string panel_query(const std::string& title) {
  const auto queries = dashboard_queries(TAILOR_DASHBOARD);
  if (queries)
    for (const auto& query : *queries)
      if (query.panel == title) return query.expr;
  return "no panel " + title;
}

TEST_F(PrometheusTest, ScrapesALiveAgentAndAggregatorAndAnswersEveryDashboardQuery) {
  const int agent_port = start_node_agent();
  ASSERT_GT(agent_port, 0);
  ASSERT_TRUE(start_web());
  const common::WorkloadKey key = {"shop", "Deployment", "web", "main"};
  (void)testing::wait_until([&] { return allowed(key).contains("uname"); },
                            std::chrono::seconds(30), std::chrono::milliseconds(200));
  ASSERT_TRUE(allowed(key).contains("uname")) << slurp(agent_log_);

  // Both expositions as they are now, with workload series in them.
  httplib::Client agent("127.0.0.1", agent_port);
  const auto agent_metrics = agent.Get("/metrics");
  ASSERT_TRUE(agent_metrics) << "no answer from the agent's /metrics";
  httplib::SSLClient aggregator("127.0.0.1", aggregator_->port());
  aggregator.set_ca_cert_path(tls_.ca_file.c_str());
  aggregator.enable_server_certificate_verification(true);
  const auto aggregator_metrics = aggregator.Get("/metrics");
  ASSERT_TRUE(aggregator_metrics) << "no answer from the aggregator's /metrics";
  EXPECT_EQ(promtool_complaints(agent_metrics->body, dir_), "") << agent_metrics->body;
  EXPECT_EQ(promtool_complaints(aggregator_metrics->body, dir_), "") << aggregator_metrics->body;

  fs::create_directories(dir_ / "prometheus");
  auto prometheus = PrometheusServer::start(scrape_config(agent_port), dir_ / "prometheus");
  ASSERT_TRUE(prometheus) << prometheus.error().message;
  PrometheusServer& server = **prometheus;

  // Rates need two scrapes in their window; everything should answer within seconds.
  const auto queries = dashboard_queries(TAILOR_DASHBOARD);
  ASSERT_TRUE(queries) << queries.error().message;
  std::map<std::string, std::string> unanswered;  // expr -> last answer
  for (const auto& query : *queries) unanswered[query.expr] = "not asked";
  const auto answered_by = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!unanswered.empty() && std::chrono::steady_clock::now() < answered_by) {
    for (auto it = unanswered.begin(); it != unanswered.end();) {
      const auto data = server.query(it->first);
      if (data && !data->at("result").empty()) {
        it = unanswered.erase(it);
        continue;
      }
      it->second = data ? data->dump() : data.error().message;
      ++it;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (const auto& [expr, last] : unanswered)
    ADD_FAILURE() << "no data for " << expr << ": " << last;

  // The series exist with the labels the dashboard groups by.
  const std::map<std::string, std::string> workload = {{"workload_namespace", "shop"},
                                                       {"workload_kind", "Deployment"},
                                                       {"workload_name", "web"},
                                                       {"workload_container", "main"}};
  for (const auto& [metric, job] :
       {std::pair{"tailor_aggregator_workload_syscalls", "tailor-aggregator"},
        std::pair{"tailor_aggregator_last_discovery_timestamp_seconds", "tailor-aggregator"},
        std::pair{"tailor_agent_workload_syscalls", "tailor-agent"}}) {
    auto expected = workload;
    expected["job"] = job;
    const auto series = server.series(metric);
    ASSERT_TRUE(series) << series.error().message;
    EXPECT_EQ(label_sets(*series), (std::vector{expected})) << metric << ": " << series->dump();
  }
  const auto drops = server.series("tailor_agent_recorder_drops_total");
  ASSERT_TRUE(drops) << drops.error().message;
  std::set<std::string> reasons;
  for (const auto& labels : label_sets(*drops)) reasons.insert(labels.at("reason"));
  EXPECT_EQ(reasons,
            (std::set<std::string>{"arg_values_overflow", "arg_values_unreadable",
                                   "cgroup_depth_exceeded", "denials_lost", "events_dropped",
                                   "sets_full", "syscall_nr_out_of_range"}));
  const auto created = server.query("tailor_aggregator_crd_writes_total{result=\"created\"}");
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->at("result").size(), 1u) << created->dump();
  EXPECT_EQ(created->at("result")[0].at("value")[1], "1");
  const auto up = server.query("up");
  ASSERT_TRUE(up) << up.error().message;
  ASSERT_EQ(up->at("result").size(), 2u) << up->dump();
  for (const auto& target : up->at("result"))
    EXPECT_EQ(target.at("value")[1], "1") << target.dump() << "\n" << server.log();
}

// A recorder whose map is too small for the node's containers: the dashboard's health panels
// show the calls it cannot record and the map full.
TEST_F(PrometheusTest, ARecorderOutOfSetsShowsAsDropsAndAFullMap) {
  const int agent_port = start_node_agent({"--max-sets", "1"});
  ASSERT_GT(agent_port, 0);
  fs::create_directories(dir_ / "prometheus");
  auto prometheus = PrometheusServer::start(scrape_config(agent_port), dir_ / "prometheus");
  ASSERT_TRUE(prometheus) << prometheus.error().message;
  // The container starts once Prometheus has a sample from before: the runtime's calls at
  // start-up are what finds no free set, and a rate needs the counter's rise between samples.
  (void)testing::wait_until(
      [&] {
        const auto scraped = (*prometheus)->query("tailor_agent_recorder_sets_capacity");
        return scraped && !scraped->at("result").empty();
      },
      std::chrono::seconds(10), std::chrono::milliseconds(100));
  ASSERT_TRUE(start_web());

  const std::string drops = panel_query("Recorder drops");
  const std::string fullness = panel_query("Recorder map fullness");
  std::string drops_answer;
  std::string fullness_answer;
  bool sets_full = false;
  bool map_full = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(sets_full && map_full) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto by_reason = (*prometheus)->query(drops);
    ASSERT_TRUE(by_reason) << by_reason.error().message;
    drops_answer = by_reason->dump();
    for (const auto& series : by_reason->at("result"))
      if (series.at("metric").value("reason", "") == "sets_full" &&
          std::stod(series.at("value")[1].get<std::string>()) > 0)
        sets_full = true;
    const auto full = (*prometheus)->query(fullness);
    ASSERT_TRUE(full) << full.error().message;
    fullness_answer = full->dump();
    map_full = full->at("result").size() == 1 && full->at("result")[0].at("value")[1] == "1";
  }
  EXPECT_TRUE(sets_full) << drops << " answered " << drops_answer << "\n" << slurp(agent_log_);
  EXPECT_TRUE(map_full) << fullness << " answered " << fullness_answer;
}

}  // namespace
}  // namespace tailor::e2e
