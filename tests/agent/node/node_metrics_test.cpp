#include "agent/node/node_metrics.h"

#include <gmock/gmock.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/report/recorder_stats.h"

namespace tailor::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string exposition(const NodeMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
}

RecorderFigures figures(uint64_t events_sent, uint64_t events_dropped) {
  RecorderFigures figures;
  for (const auto& stat : common::kRecorderStats) figures.stats[std::string(stat.name)] = 0;
  figures.stats["events_sent"] = events_sent;
  figures.stats["events_dropped"] = events_dropped;
  figures.stats["resolve_cache_misses"] = 3;
  figures.sets_in_use = 5;
  figures.sets_capacity = 4096;
  figures.program = {.run_time_ns = 2'500'000'000, .run_count = 10};
  return figures;
}

TEST(NodeMetricsTest, RecorderCountersOfWorkAreTheirOwnAndFaultsAreDropsByReason) {
  NodeMetrics metrics;
  metrics.export_recorder(figures(7, 2));
  const std::string text = exposition(metrics);
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_recorder_events_sent_total 7\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_recorder_resolve_cache_misses_total 3\n"));
  EXPECT_THAT(text,
              HasSubstr("\ntailor_agent_recorder_drops_total{reason=\"events_dropped\"} 2\n"));
  for (const auto& stat : common::kRecorderStats) {
    const std::string name(stat.name);
    if (stat.is_fault())
      EXPECT_THAT(text, HasSubstr("tailor_agent_recorder_drops_total{reason=\"" + name + "\"}"));
    else
      EXPECT_THAT(text, HasSubstr("\ntailor_agent_recorder_" + name + "_total "));
  }
  EXPECT_THAT(text, Not(HasSubstr("reason=\"events_sent\"")));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_recorder_sets_in_use 5\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_recorder_sets_capacity 4096\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_bpf_program_run_seconds_total 2.5\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_bpf_program_runs_total 10\n"));
}

TEST(NodeMetricsTest, RunningTotalsRaiseCountersAndNeverLowerThem) {
  NodeMetrics metrics;
  metrics.export_recorder(figures(7, 2));
  metrics.export_recorder(figures(4, 2));  // a lower total (pinned maps recreated): kept at 7
  EXPECT_THAT(exposition(metrics), HasSubstr("\ntailor_agent_recorder_events_sent_total 7\n"));
  metrics.export_recorder(figures(9, 2));
  EXPECT_THAT(exposition(metrics), HasSubstr("\ntailor_agent_recorder_events_sent_total 9\n"));

  metrics.export_delivery({.acknowledged = 4, .rejected = 1, .send_failures = 2}, 1234, 3);
  metrics.export_delivery({.acknowledged = 6, .rejected = 1, .send_failures = 2}, 0, 0);
  const std::string text = exposition(metrics);
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_reports_sent_total 6\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_reports_rejected_total 1\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_reports_failed_total 2\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_spool_bytes 0\n")) << "gauges follow the value";
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_spool_batches 0\n"));
}

TEST(NodeMetricsTest, WorkloadSyscallsCountWhatAProfileWouldAllow) {
  auto entry = [](uint32_t nr, common::Phase phase) {
    common::SyscallEntry e;
    e.arch = "x86_64";
    e.nr = nr;
    e.phase = phase;
    e.count = 1;
    return e;
  };
  CumulativeState state;
  state[{"shop", "Deployment", "web", "main"}].syscalls = {
      entry(0, common::Phase::workload), entry(0, common::Phase::runtime_filtered),
      entry(1, common::Phase::runtime_filtered), entry(59, common::Phase::runtime_setup)};
  NodeMetrics metrics;
  metrics.export_workloads(state, {{"shop", "Deployment", "web", "main"}});
  metrics.export_tracked_containers(2);
  metrics.count_discovery();
  const std::string text = exposition(metrics);
  EXPECT_THAT(text, HasSubstr("tailor_agent_workload_syscalls{workload_container=\"main\","
                              "workload_kind=\"Deployment\",workload_name=\"web\","
                              "workload_namespace=\"shop\"} 2\n"))
      << "one per number, whatever the phase; the runtime's set-up is never allowed";
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_tracked_containers 2\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_syscall_discoveries_total 1\n"));
}

TEST(NodeMetricsTest, AWorkloadsSeriesGoesWithItsLastContainerOnTheNode) {
  const common::WorkloadKey web{"shop", "Deployment", "web", "main"};
  const common::WorkloadKey job{"shop", "Job", "backup", "main"};
  CumulativeState state;
  state[web].syscalls.resize(1);
  state[job].syscalls.resize(1);
  NodeMetrics metrics;
  metrics.export_workloads(state, {web, job});
  EXPECT_THAT(exposition(metrics), HasSubstr("workload_name=\"backup\""));

  // The Job ended: its calls stay in the state the agent reports, its series goes.
  metrics.export_workloads(state, {web});
  const std::string text = exposition(metrics);
  EXPECT_THAT(text, Not(HasSubstr("workload_name=\"backup\"")));
  EXPECT_THAT(text, HasSubstr("workload_name=\"web\""));

  // A workload that starts again on the node gets its series back.
  metrics.export_workloads(state, {web, job});
  EXPECT_THAT(exposition(metrics), HasSubstr("workload_name=\"backup\""));
}

TEST(NodeMetricsTest, DenialsPerWorkloadCallAndActionGoWithTheWorkloadsLastContainer) {
  const common::WorkloadKey web{"shop", "Deployment", "web", "main"};
  const common::WorkloadKey job{"shop", "Job", "backup", "main"};
  const auto denial = [](uint32_t nr, std::string name, common::DenialAction action,
                         uint64_t count) {
    common::DeniedCall call;
    call.arch = "x86_64";
    call.nr = nr;
    call.name = std::move(name);
    call.action = action;
    call.count = count;
    return WorkloadDenial{call, "pod-1"};
  };
  CumulativeState state;
  state[web].denied = {denial(165, "mount", common::DenialAction::errno_ret, 3),
                       denial(165, "mount", common::DenialAction::trap, 1)};
  state[job].denied = {denial(1000, "", common::DenialAction::kill_process, 1)};
  NodeMetrics metrics;
  metrics.export_enforcement(state, {web, job}, 2);
  std::string text = exposition(metrics);
  const std::string web_labels =
      "workload_container=\"main\",workload_kind=\"Deployment\",workload_name=\"web\","
      "workload_namespace=\"shop\"}";
  EXPECT_THAT(text, HasSubstr("tailor_agent_denials_total{action=\"errno\",arch=\"x86_64\","
                              "syscall=\"mount\"," +
                              web_labels + " 3\n"));
  EXPECT_THAT(text, HasSubstr("tailor_agent_denials_total{action=\"trap\",arch=\"x86_64\","
                              "syscall=\"mount\"," +
                              web_labels + " 1\n"));
  EXPECT_THAT(text, HasSubstr("action=\"kill_process\",arch=\"x86_64\",syscall=\"#1000\""))
      << "a number libseccomp has no name for";
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_enforced_containers 2\n"));

  // Counts are cumulative: the counter follows them.
  state[web].denied[0].call.count = 10;
  metrics.export_enforcement(state, {web}, 1);
  text = exposition(metrics);
  EXPECT_THAT(text, HasSubstr("syscall=\"mount\"," + web_labels + " 10\n"));
  EXPECT_THAT(text, Not(HasSubstr("workload_name=\"backup\""))) << "the Job's containers ended";
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_enforced_containers 1\n"));
}

}  // namespace
}  // namespace tailor::agent
