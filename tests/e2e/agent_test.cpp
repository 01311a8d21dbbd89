// `tailor agent` on the test bed: real agents on simulated nodes, real runc containers, the
// test API server and the real aggregator, whose GET /api/v1/profiles says what arrived.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/spawn.h"
#include "common/report/report.h"
#include "tests/aggregator/agents_bed.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/simulated_cluster.h"

namespace tailor::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;
using testing::RunningProcess;
using testing::slurp;
using testing::wait_until;

class AgentTest : public aggregator::AgentsBed {
 protected:
  // The aggregator's merged state: every workload container with its syscalls.
  json profiles() {
    httplib::SSLClient client("127.0.0.1", aggregator_->port());
    client.set_ca_cert_path(tls_.ca_file.c_str());
    client.enable_server_certificate_verification(true);
    auto answer = client.Get("/api/v1/profiles");
    if (!answer || answer->status != 200) return json::array();
    return json::parse(answer->body)["workloads"];
  }

  // Syscall names that arrived for a workload key from `node` ("" for any) in `phase` (empty
  // for any).
  std::set<std::string> arrived(const std::string& kind, const std::string& name,
                                const std::string& node,
                                std::optional<common::Phase> phase = std::nullopt) {
    std::set<std::string> names;
    for (const auto& workload : profiles()) {
      if (workload["key"]["kind"] != kind || workload["key"]["name"] != name) continue;
      for (const auto& syscall : workload["syscalls"]) {
        const auto& nodes = syscall["nodes"];
        if (!node.empty() && std::find(nodes.begin(), nodes.end(), node) == nodes.end()) continue;
        if (phase && syscall["phase"].get<std::string>() != common::phase_name(*phase)) continue;
        names.insert(syscall["name"].get<std::string>());
      }
    }
    return names;
  }
  std::set<std::string> arrived_in(const std::string& kind, const std::string& name,
                                   common::Phase phase) {
    return arrived(kind, name, "", phase);
  }

  // A value of the agent's /metrics; -1 when it has none.
  static double metric(const RunningProcess& agent, const std::string& name) {
    const std::string log = slurp(agent.err_path);
    const auto at = log.find("on port ");
    if (at == std::string::npos) return -1;
    httplib::Client client("127.0.0.1", std::stoi(log.substr(at + 8)));
    auto scraped = client.Get("/metrics");
    if (!scraped) return -1;
    const auto line = scraped->body.find("\n" + name + " ");
    if (line == std::string::npos) return -1;
    return std::stod(scraped->body.substr(line + name.size() + 2));
  }

  // A pod of `kind`/`name` in the opted-in namespace, running `args` (busybox).
  static testbed::PodSpec pod_spec(const std::string& kind, const std::string& name,
                                   std::vector<std::string> args) {
    testbed::PodSpec spec;
    spec.ns = "shop";
    spec.owner = {kind, name};
    spec.args = std::move(args);
    return spec;
  }
  static std::vector<std::string> uname_loop() {
    return {"sh", "-c", "while true; do uname >/dev/null; sleep 0.2; done"};
  }
};

TEST_F(AgentTest, ReplicasOnTwoNodesArriveUnderTheirWorkloadKey) {
  ASSERT_NO_FATAL_FAILURE(start_agents_on_two_nodes());

  testbed::PodSpec web = pod_spec("Deployment", "web", uname_loop());
  ASSERT_TRUE(cluster_->start_pod("node-a", web));
  web.args = {"sh", "-c", "while true; do sync; sleep 0.2; done"};
  ASSERT_TRUE(cluster_->start_pod("node-b", web));
  testbed::PodSpec other;
  other.ns = "default";  // not opted in: never reported
  other.owner = {"Deployment", "ignored"};
  ASSERT_TRUE(cluster_->start_pod("node-a", other));

  EXPECT_TRUE(wait_until(
      [&] {
        return arrived("Deployment", "web", "node-a").contains("uname") &&
               arrived("Deployment", "web", "node-b").contains("sync");
      },
      seconds(20)))
      << "node-a: " << arrived("Deployment", "web", "node-a").size()
      << " syscalls, node-b: " << arrived("Deployment", "web", "node-b").size();
  EXPECT_FALSE(arrived("Deployment", "web", "node-a").contains("sync"));
  for (const auto& workload : profiles()) {
    EXPECT_EQ(workload["key"]["namespace"], "shop");
    EXPECT_EQ(workload["key"]["kind"], "Deployment");
    EXPECT_EQ(workload["key"]["name"], "web");
    EXPECT_EQ(workload["key"]["container"], "main");
  }

  // SIGTERM flushes and exits promptly.
  for (auto& agent : fleet_->agents()) {
    const auto asked = std::chrono::steady_clock::now();
    ::kill(agent.pid, SIGTERM);
    auto result = agent.wait();
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(10));
  }
  fleet_->agents().clear();
}

// Batches the agent could not deliver wait in its spool, and what the workloads do meanwhile
// is recorded too: all of it arrives once the aggregator is back on its address.
TEST_F(AgentTest, AnAggregatorOutageLosesNothing) {
  const int port = aggregator_->port();
  aggregator_->stop();
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  RunningProcess& agent = start_agent(**node);
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Deployment", "web", uname_loop())));

  // The outage shows in the agent's metrics: failures, and batches waiting on disk.
  EXPECT_TRUE(wait_until(
      [&] {
        return metric(agent, "tailor_agent_reports_failed_total") > 0 &&
               metric(agent, "tailor_agent_spool_batches") > 0;
      },
      seconds(30)))
      << "failed " << metric(agent, "tailor_agent_reports_failed_total") << ", spooled "
      << metric(agent, "tailor_agent_spool_batches");
  auto job = cluster_->start_pod("node-a", pod_spec("Job", "backup", {"sh", "-c", "sync"}));
  ASSERT_TRUE(job);
  ASSERT_TRUE((*job)->container->wait_stopped().ok());
  // One more failed round after the job: its calls were read while the aggregator was away.
  const double failed = metric(agent, "tailor_agent_reports_failed_total");
  EXPECT_TRUE(wait_until(
      [&] { return metric(agent, "tailor_agent_reports_failed_total") > failed; }, seconds(40)));

  ASSERT_NO_FATAL_FAILURE(start_aggregator(port));
  EXPECT_TRUE(wait_until(
      [&] {
        return arrived("Deployment", "web", "node-a").contains("uname") &&
               arrived("Job", "backup", "node-a").contains("sync");
      },
      seconds(60)))
      << slurp(agent.err_path);
}

// The watchers' failures too: a node's log collector reads one JSON object a line.
TEST_F(AgentTest, EveryLogLineIsJsonWatchFailuresIncluded) {
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  RunningProcess& agent = start_agent(**node);
  server_->faults().set_error_rate(testbed::Verb::kWatch, 500, 1.0);
  server_->expire_watches();
  EXPECT_TRUE(
      wait_until([&] { return slurp(agent.err_path).find("injected fault") != std::string::npos; },
                 seconds(20)))
      << slurp(agent.err_path);
  server_->faults().clear();
  std::istringstream log(slurp(agent.err_path));
  for (std::string line; std::getline(log, line);) {
    const json parsed = json::parse(line, nullptr, false);
    EXPECT_TRUE(parsed.is_object() && parsed.contains("level") && parsed.contains("msg")) << line;
  }
}

TEST_F(AgentTest, AContainerOfAFewMillisecondsIsStillAttributed) {
  auto node =
      cluster_->add_node("node-a", testbed::CgroupDriver::kSystemd, testbed::CriFlavor::kCrio);
  ASSERT_TRUE(node);
  start_agent(**node);
  // Starts, makes its one unusual syscall, exits.
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Job", "flash", {"sync"})));
  EXPECT_TRUE(
      wait_until([&] { return arrived("Job", "flash", "node-a").contains("sync"); }, seconds(20)))
      << slurp(fleet_->agents().back().err_path);
}

TEST_F(AgentTest, SandboxesUnknownRuntimesAndHostProcessesAreNeverReported) {
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  RunningProcess& agent = start_agent(**node);
  auto pod = cluster_->start_pod("node-a", pod_spec("Deployment", "web", uname_loop()));
  ASSERT_TRUE(pod);
  auto cgroups = agent::Cgroup2::detect();
  ASSERT_TRUE(cgroups);
  // Next to the pod's container: its sandbox (an id the pod's statuses do not
  // list) and a cgroup named by a runtime nobody knows; outside the node: a
  // host process. All three make calls the web container never makes.
  const fs::path container_dir = cluster_->container_cgroup_dir(**pod);
  const std::string pod_dir = cgroups->relative(container_dir.parent_path());
  const std::vector<std::string> strangers = {pod_dir + "/" + std::string(64, 'e'),
                                              pod_dir + "/weird-runtime-1234",
                                              "/tailor-agent-host-" + std::to_string(::getpid())};
  std::vector<pid_t> workloads;
  for (const auto& path : strangers) {
    ASSERT_TRUE(cgroups->create(path));
    auto pid = agent::spawn_in_cgroup(cgroups->absolute(path), TAILOR_TEST_WORKLOAD,
                                      {TAILOR_TEST_WORKLOAD, "probe-loop"});
    ASSERT_TRUE(pid) << pid.error().message;
    workloads.push_back(*pid);
  }
  ASSERT_TRUE(wait_until([&] { return arrived("Deployment", "web", "node-a").contains("uname"); },
                         seconds(20)));
  // The agent has met the strangers (it says what it made of the two below the pod), then a
  // container started after that arrived: were any of the strangers' calls attributed, they
  // would have arrived with it or before.
  EXPECT_TRUE(wait_until(
      [&] {
        const std::string log = slurp(agent.err_path);
        return log.find("sandbox (pause) container") != std::string::npos &&
               log.find("not a container cgroup of a known runtime") != std::string::npos;
      },
      seconds(20)));
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Job", "later", {"sync"})));
  EXPECT_TRUE(
      wait_until([&] { return arrived("Job", "later", "node-a").contains("sync"); }, seconds(20)));
  for (pid_t pid : workloads) {
    ::kill(pid, SIGKILL);
    agent::wait_for_exit(pid);
  }
  for (const auto& path : strangers) (void)cgroups->destroy(path);
  for (const auto& workload : profiles())
    for (const auto& syscall : workload["syscalls"])
      EXPECT_NE(syscall["name"], "getcpu") << "a stranger's call reached " << workload["key"];
  const std::string log = slurp(agent.err_path);
  EXPECT_NE(log.find("sandbox (pause) container"), std::string::npos) << log;
  EXPECT_NE(log.find("not a container cgroup of a known runtime"), std::string::npos) << log;
  EXPECT_EQ(::kill(agent.pid, 0), 0) << "the agent should keep running";
}

// The agent records each container from its first syscall, so it sees the
// runtime set the container up; none of that is the workload's, with either runtime.
TEST_F(AgentTest, TheRuntimesStartUpNeverArrivesAsTheWorkloads) {
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  start_agent(**node);
  std::vector<std::string> names;
  for (const auto runtime : {testbed::OciRuntime::kRunc, testbed::OciRuntime::kCrun}) {
    if (auto why = testbed::runtime_unavailable(runtime)) FAIL() << *why;
    const std::string name = "web-" + testbed::runtime_name(runtime);
    testbed::PodSpec spec = pod_spec("Deployment", name, uname_loop());
    spec.runtime = runtime;
    ASSERT_TRUE(cluster_->start_pod("node-a", spec));
    names.push_back(name);
  }
  for (const auto& name : names) {
    EXPECT_TRUE(wait_until(
        [&] {
          return arrived_in("Deployment", name, common::Phase::workload).contains("uname") &&
                 arrived_in("Deployment", name, common::Phase::runtime_setup)
                     .contains("pivot_root");
        },
        seconds(20)))
        << name << ": " << slurp(fleet_->agents().back().err_path);
    const auto workload = arrived_in("Deployment", name, common::Phase::workload);
    for (const char* setup :
         {"mount", "umount2", "pivot_root", "execveat", "unlink", "mknodat", "setns", "unshare",
          "keyctl", "sethostname", "symlinkat", "memfd_create"})
      EXPECT_FALSE(workload.contains(setup)) << name << ": " << setup << " is the runtime's set-up";
  }
}

// The capabilities docs/agent.md lists, and nothing else: no privileged container.
TEST_F(AgentTest, RunsWithOnlyBpfPerfmonAndDacReadSearch) {
  if (!fs::exists("/usr/bin/setpriv")) FAIL() << "needs setpriv (util-linux) to drop capabilities";
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  start_agent(**node, {},
              {"/usr/bin/setpriv", "--bounding-set=-all,+bpf,+perfmon,+dac_read_search",
               "--inh-caps=-all", "--"});
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("StatefulSet", "db", uname_loop())));
  EXPECT_TRUE(wait_until([&] { return arrived("StatefulSet", "db", "node-a").contains("uname"); },
                         seconds(20)))
      << slurp(fleet_->agents().back().err_path);
}

TEST_F(AgentTest, SyscallsMadeWhileTheAgentIsDownAreReportedAfterItsRestart) {
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  start_agent(**node);
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Deployment", "web", uname_loop())));
  ASSERT_TRUE(
      wait_until([&] { return arrived("Deployment", "web", "").contains("uname"); }, seconds(20)));

  ::kill(fleet_->agents().back().pid, SIGKILL);
  fleet_->agents().back().wait();
  fleet_->agents().pop_back();
  // Only while no agent runs: a container that starts, syncs and exits.
  auto job = cluster_->start_pod("node-a", pod_spec("Job", "backup", {"sh", "-c", "sync"}));
  ASSERT_TRUE(job);
  ASSERT_TRUE((*job)->container->wait_stopped().ok());

  RunningProcess& restarted = start_agent(**node);
  EXPECT_TRUE(
      wait_until([&] { return arrived("Job", "backup", "").contains("sync"); }, seconds(20)))
      << slurp(restarted.err_path);
  EXPECT_NE(slurp(restarted.err_path).find("resumed the recorder"), std::string::npos);
}

}  // namespace
}  // namespace tailor::e2e
