// `tailor agent` on the test bed: real agents on two simulated nodes, real
// runc containers, the test API server, and a stub aggregator that records
// what arrives.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/spawn.h"
#include "common/wire/delta.h"
#include "tests/support/process.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/simulated_cluster.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::e2e {
namespace {

namespace fs = std::filesystem;
using testbed::SimulatedCluster;
using testbed::TestApiServer;
using testing::RunningProcess;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An aggregator that accepts every batch and keeps it.
class StubAggregator {
 public:
  explicit StubAggregator(const fs::path& dir) {
    auto tls = testbed::write_tls_files(dir);
    EXPECT_TRUE(tls) << tls.error().message;
    ca_file_ = tls->ca_file;
    server_ = std::make_unique<httplib::SSLServer>(tls->cert_file.c_str(), tls->key_file.c_str());
    server_->Post("/api/v1/deltas",
                  [this](const httplib::Request& request, httplib::Response& response) {
                    if (down_) {
                      response.status = 503;
                      return;
                    }
                    auto delta = common::decode_delta(request.body);
                    if (!delta) {
                      response.status = 400;
                      response.set_content(delta.error().message, "text/plain");
                      return;
                    }
                    std::lock_guard lock(mutex_);
                    deltas_.push_back(std::move(*delta));
                    response.set_content("{}", "application/json");
                  });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~StubAggregator() {
    server_->stop();
    thread_.join();
  }
  // While down, every batch gets 503 Service Unavailable.
  void set_down(bool down) { down_ = down; }
  std::string address() const { return "https://127.0.0.1:" + std::to_string(port_); }
  const std::string& ca_file() const { return ca_file_; }
  std::vector<common::Delta> deltas() {
    std::lock_guard lock(mutex_);
    return deltas_;
  }

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::string ca_file_;
  std::mutex mutex_;
  std::vector<common::Delta> deltas_;
  std::atomic<bool> down_{false};
};

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = testbed::runtime_unavailable(testbed::OciRuntime::kRunc)) FAIL() << *why;
    if (!fs::exists("/sys/kernel/btf/vmlinux"))
      GTEST_SKIP() << "needs kernel BTF at /sys/kernel/btf/vmlinux";
    dir_ = fs::temp_directory_path() / ("tailor-agent-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto server = TestApiServer::start({});
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    auto cluster = SimulatedCluster::create(*server_);
    ASSERT_TRUE(cluster) << cluster.error().message;
    cluster_ = std::move(*cluster);
    aggregator_ = std::make_unique<StubAggregator>(dir_);
    fleet_ = std::make_unique<testbed::AgentFleet>(TAILOR_BIN, *server_, dir_,
                                                   aggregator_->address(), aggregator_->ca_file());
    ASSERT_TRUE(testbed::put_recorded_namespace(*server_, "shop"));
  }
  void TearDown() override {
    fleet_.reset();
    if (cluster_) (void)cluster_->teardown();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // `wrapper` runs before the agent, e.g. to drop capabilities.
  RunningProcess& start_agent(const testbed::SimulatedNode& node,
                              std::vector<std::string> wrapper = {}) {
    RunningProcess& started = fleet_->start(node, "", std::move(wrapper));
    EXPECT_NE(slurp(started.err_path).find("serving /metrics"), std::string::npos)
        << slurp(started.err_path);
    return started;
  }

  // Syscall names that arrived for a workload key, from the given node ("" for any).
  std::set<std::string> arrived(const std::string& kind, const std::string& name,
                                const std::string& node) {
    std::set<std::string> names;
    for (const auto& delta : aggregator_->deltas()) {
      if (!node.empty() && delta.node != node) continue;
      for (const auto& workload : delta.workloads)
        if (workload.key.kind == kind && workload.key.name == name)
          for (const auto& syscall : workload.syscalls) names.insert(syscall.name);
    }
    return names;
  }

  // Syscall names that arrived for a workload key in one phase, from any node.
  std::set<std::string> arrived_in(const std::string& kind, const std::string& name,
                                   common::Phase phase) {
    std::set<std::string> names;
    for (const auto& delta : aggregator_->deltas())
      for (const auto& workload : delta.workloads)
        if (workload.key.kind == kind && workload.key.name == name)
          for (const auto& syscall : workload.syscalls)
            if (syscall.phase == phase) names.insert(syscall.name);
    return names;
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

  bool wait_for(const std::function<bool()>& done,
                std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  fs::path dir_;
  std::unique_ptr<TestApiServer> server_;
  std::unique_ptr<SimulatedCluster> cluster_;
  std::unique_ptr<StubAggregator> aggregator_;
  std::unique_ptr<testbed::AgentFleet> fleet_;
};

TEST_F(AgentTest, ReplicasOnTwoNodesArriveUnderTheirWorkloadKey) {
  auto node_a = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                   testbed::CriFlavor::kContainerd);
  auto node_b = cluster_->add_node("node-b", testbed::CgroupDriver::kSystemd,
                                   testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node_a && node_b);
  start_agent(**node_a);
  start_agent(**node_b);

  testbed::PodSpec web = pod_spec("Deployment", "web", uname_loop());
  ASSERT_TRUE(cluster_->start_pod("node-a", web));
  web.args = {"sh", "-c", "while true; do sync; sleep 0.2; done"};
  ASSERT_TRUE(cluster_->start_pod("node-b", web));
  testbed::PodSpec other;
  other.ns = "default";  // not opted in: never reported
  other.owner = {"Deployment", "ignored"};
  ASSERT_TRUE(cluster_->start_pod("node-a", other));

  EXPECT_TRUE(wait_for([&] {
    return arrived("Deployment", "web", "node-a").contains("uname") &&
           arrived("Deployment", "web", "node-b").contains("sync");
  })) << "node-a: "
      << arrived("Deployment", "web", "node-a").size()
      << " syscalls, node-b: " << arrived("Deployment", "web", "node-b").size();
  EXPECT_FALSE(arrived("Deployment", "web", "node-a").contains("sync"));
  for (const auto& delta : aggregator_->deltas())
    for (const auto& workload : delta.workloads) {
      EXPECT_EQ(workload.key.namespace_name, "shop");
      EXPECT_EQ(workload.key.kind, "Deployment");
      EXPECT_EQ(workload.key.name, "web");
      EXPECT_EQ(workload.key.container, "main");
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

TEST_F(AgentTest, AnAggregatorOutageOfAMinuteLosesNothing) {
  aggregator_->set_down(true);
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  RunningProcess& agent = start_agent(**node);
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Deployment", "web", uname_loop())));
  std::this_thread::sleep_for(std::chrono::seconds(30));
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Job", "backup", {"sh", "-c", "sync"})));
  std::this_thread::sleep_for(std::chrono::seconds(30));

  // The outage shows in the agent's metrics: failures, and batches waiting on disk.
  const std::string log = slurp(agent.err_path);
  const auto at = log.find("on port ");
  ASSERT_NE(at, std::string::npos) << log;
  httplib::Client metrics("127.0.0.1", std::stoi(log.substr(at + 8)));
  auto scraped = metrics.Get("/metrics");
  ASSERT_TRUE(scraped) << "no answer from /metrics";
  ASSERT_NE(scraped->body.find("tailor_agent_reports_failed_total "), std::string::npos)
      << scraped->body;
  ASSERT_NE(scraped->body.find("tailor_agent_spool_batches "), std::string::npos) << scraped->body;
  EXPECT_EQ(scraped->body.find("tailor_agent_reports_failed_total 0\n"), std::string::npos)
      << scraped->body;
  EXPECT_EQ(scraped->body.find("tailor_agent_spool_batches 0\n"), std::string::npos)
      << scraped->body;
  EXPECT_TRUE(aggregator_->deltas().empty());

  aggregator_->set_down(false);
  EXPECT_TRUE(wait_for(
      [&] {
        return arrived("Deployment", "web", "node-a").contains("uname") &&
               arrived("Job", "backup", "node-a").contains("sync");
      },
      std::chrono::seconds(60)));
}

TEST_F(AgentTest, AContainerOfAFewMillisecondsIsStillAttributed) {
  auto node =
      cluster_->add_node("node-a", testbed::CgroupDriver::kSystemd, testbed::CriFlavor::kCrio);
  ASSERT_TRUE(node);
  start_agent(**node);
  // Starts, makes its one unusual syscall, exits.
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Job", "flash", {"sync"})));
  EXPECT_TRUE(wait_for([&] { return arrived("Job", "flash", "node-a").contains("sync"); }))
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
  ASSERT_TRUE(wait_for([&] { return arrived("Deployment", "web", "node-a").contains("uname"); }));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a few more rounds
  for (pid_t pid : workloads) {
    ::kill(pid, SIGKILL);
    agent::wait_for_exit(pid);
  }
  for (const auto& path : strangers) (void)cgroups->destroy(path);
  for (const auto& delta : aggregator_->deltas())
    for (const auto& workload : delta.workloads)
      for (const auto& syscall : workload.syscalls)
        EXPECT_NE(syscall.name, "getcpu") << "a stranger's call reached " << workload.key.name;
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
    EXPECT_TRUE(wait_for([&] {
      return arrived_in("Deployment", name, common::Phase::workload).contains("uname") &&
             arrived_in("Deployment", name, common::Phase::runtime_setup).contains("pivot_root");
    })) << name
        << ": " << slurp(fleet_->agents().back().err_path);
    const auto workload = arrived_in("Deployment", name, common::Phase::workload);
    for (const char* setup :
         {"mount", "umount2", "pivot_root", "execveat", "unlink", "mknodat", "setns", "unshare",
          "keyctl", "sethostname", "symlinkat", "memfd_create"})
      EXPECT_FALSE(workload.contains(setup)) << name << ": " << setup << " is the runtime's set-up";
  }
}

// The capabilities docs/agent.md lists, and nothing else: no privileged container.
TEST_F(AgentTest, RunsWithOnlyBpfPerfmonAndDacReadSearch) {
  if (!fs::exists("/usr/bin/setpriv"))
    FAIL() << "needs setpriv (util-linux) to drop capabilities";
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  start_agent(**node, {"/usr/bin/setpriv", "--bounding-set=-all,+bpf,+perfmon,+dac_read_search",
                       "--inh-caps=-all", "--"});
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("StatefulSet", "db", uname_loop())));
  EXPECT_TRUE(wait_for([&] { return arrived("StatefulSet", "db", "node-a").contains("uname"); }))
      << slurp(fleet_->agents().back().err_path);
}

TEST_F(AgentTest, SyscallsMadeWhileTheAgentIsDownAreReportedAfterItsRestart) {
  auto node = cluster_->add_node("node-a", testbed::CgroupDriver::kCgroupfs,
                                 testbed::CriFlavor::kContainerd);
  ASSERT_TRUE(node);
  start_agent(**node);
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Deployment", "web", uname_loop())));
  ASSERT_TRUE(wait_for([&] { return arrived("Deployment", "web", "").contains("uname"); }));

  ::kill(fleet_->agents().back().pid, SIGKILL);
  fleet_->agents().back().wait();
  fleet_->agents().pop_back();
  // Only while no agent runs: a container that starts, syncs and exits.
  ASSERT_TRUE(cluster_->start_pod("node-a", pod_spec("Job", "backup", {"sh", "-c", "sync"})));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  RunningProcess& restarted = start_agent(**node);
  EXPECT_TRUE(wait_for([&] { return arrived("Job", "backup", "").contains("sync"); }))
      << slurp(restarted.err_path);
  EXPECT_NE(slurp(restarted.err_path).find("resumed the recorder"), std::string::npos);
}

}  // namespace
}  // namespace tailor::e2e
