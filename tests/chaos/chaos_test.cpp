// The cluster path under faults mixed together (issue 17): real agents on three simulated
// nodes, two real aggregator replicas (processes, each the destination of some nodes, both
// writing to one API server), runc pods of three workloads making syscalls the test chose, and
// now and then a rollout whose new pods make one call more. Three fault streams run at random
// at once: processes (kill -9 of an agent, or of an aggregator replica, restarted a moment
// later as their controllers would), the API server (unavailable, injected 409/410/500, slow
// answers), and the node (a full spool disk, token rotation). When the faults stop, every
// syscall every workload made must be in its SeccompProfile: nothing lost.
//
// TAILOR_CHAOS_SECONDS sets the length (60 by default, the short form; 1800 for the long form
// of docs/reliability.md) and TAILOR_CHAOS_SEED replays a run. Root, runc and kernel BTF.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/k8s/profile_names.h"
#include "common/k8s/seccomp_profile_object.h"
#include "common/syscalls/names.h"
#include "common/util/file.h"
#include "tests/support/port.h"
#include "tests/support/process.h"
#include "tests/support/recording.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/simulated_cluster.h"
#include "tests/testbed/test_api_server.h"
#include "tests/testbed/tls_material.h"

namespace tailor::chaos {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using steady = std::chrono::steady_clock;
using testbed::Verb;

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// x86_64 calls that are harmless with zero arguments (an invalid pointer is EFAULT): what the
// workloads make, so the test knows every call each one made.
const std::vector<long> kBase = {39, 110, 102};  // getpid, getppid, getuid
const std::vector<long> kNew = {104, 107, 108, 186, 111, 24,  140, 145, 98,  99,  100,
                                79,  115, 36,  201, 97,  125, 63,  124, 146, 147, 118};

// VmHWM of a live process, in KiB; 0 when it is gone.
long peak_kib(pid_t pid) {
  const auto status = common::read_file("/proc/" + std::to_string(pid) + "/status");
  const auto at = status ? status->find("VmHWM:") : std::string::npos;
  return at == std::string::npos ? 0 : std::atol(status->c_str() + at + 6);
}

std::string join(const std::vector<long>& numbers) {
  std::string text;
  for (const long nr : numbers) text += (text.empty() ? "" : ",") + std::to_string(nr);
  return text;
}

class ChaosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = testbed::runtime_unavailable(testbed::OciRuntime::kRunc)) FAIL() << *why;
    TAILOR_REQUIRE_BTF();
#if !defined(__x86_64__)
    GTEST_SKIP() << "the workloads' syscall numbers are x86_64's";
#endif
    dir_ = fs::temp_directory_path() / ("tailor-chaos-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto server = testbed::TestApiServer::start({});
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    auto cluster = testbed::recording_cluster(*server_, dir_);
    ASSERT_TRUE(cluster) << cluster.error().message;
    cluster_ = std::move(cluster->cluster);
    tls_ = cluster->tls;
  }

  void TearDown() override {
    for (auto& replica : replicas_) stop_replica(replica);
    if (HasFailure()) keep_evidence();
    for (auto& fleet : fleets_) fleet.reset();
    if (cluster_) (void)cluster_->teardown();
    for (const auto& mount : mounts_) umount2(mount.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A failed run's logs (every agent and replica process) and spools, kept for a person to
  // read: dir_ and the processes' logs go at the end of the test.
  void keep_evidence() {
    const fs::path kept =
        fs::temp_directory_path() / ("tailor-chaos-failed-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::copy(dir_, kept, fs::copy_options::recursive, ec);
    for (const auto& fleet : fleets_)
      for (const auto& agent : fleet->agents())
        fs::copy_file(
            agent.err_path,
            kept / ("agent-" + agent_nodes_[agent.pid] + "-" + std::to_string(agent.pid) + ".log"),
            ec);
    std::printf("chaos: the failed run's logs and spools are kept in %s\n", kept.c_str());
  }

  struct Replica {
    std::string name;
    int port = 0;
    testing::RunningProcess process;
    bool running = false;
  };

  void start_replica(Replica& replica) {
    replica.process = testing::start_process(
        {TAILOR_AGGREGATOR_BIN, "--listen", "127.0.0.1:" + std::to_string(replica.port),
         "--tls-cert", tls_.cert_file, "--tls-key", tls_.key_file, "--kubeconfig",
         server_->kubeconfig_path(), "--debounce", "1",
         // Two replicas share this host's loopback: each web view on a port of its own.
         "--ui-listen", "127.0.0.1:0"});
    const auto deadline = steady::now() + seconds(30);
    while (steady::now() < deadline) {
      const auto log = common::read_file(replica.process.err_path);
      if (log && log->find("serving on port") != std::string::npos) break;
      std::this_thread::sleep_for(milliseconds(20));
    }
    replica.running = true;
  }
  void stop_replica(Replica& replica) {
    if (!replica.running) return;
    peak_aggregator_kib_ = std::max(peak_aggregator_kib_, peak_kib(replica.process.pid));
    kill(replica.process.pid, SIGKILL);
    // Its log goes with it: kept, every run of the replica one after the other, for a failure.
    std::ofstream(dir_ / (replica.name + ".log"), std::ios::app) << replica.process.wait().err;
    replica.running = false;
  }

  struct Agent {
    const testbed::SimulatedNode* node = nullptr;
    int replica = 0;
    std::string token_file;
    pid_t pid = -1;
    std::string log;
    steady::time_point started;
    bool served = false;  // its log said so: the liveness check need not read it again
  };

  void start_agent(Agent& agent) {
    const auto& started = fleets_[agent.replica]->start(*agent.node, agent.token_file);
    agent.pid = started.pid;
    agent.log = started.err_path;
    agent.started = steady::now();
    agent.served = false;
    agent_nodes_[agent.pid] = agent.node->name;
  }
  // The kubelet's part for the agent's DaemonSet: an agent that ended is started again
  // (restartPolicy Always), and one that has not served for as long as the chart's liveness
  // probe allows (3 failures 20 s apart) is killed and started again. Returns why, or nothing.
  std::optional<std::string> kubelet_restart(Agent& agent) {
    const bool ended = testing::peek_exit(agent.pid).has_value();
    if (!ended && !agent.served)
      agent.served = testing::slurp(agent.log).find("serving /metrics") != std::string::npos;
    if (!ended && (agent.served || steady::now() - agent.started < seconds(60)))
      return std::nullopt;
    std::string why = agent.node->name + "'s agent (pid " + std::to_string(agent.pid) + ") " +
                      (ended ? "ended" : "did not serve within 60 s") + ": " +
                      testing::describe_process(agent.pid) +
                      "\n    its log: " + testing::slurp(agent.log);
    if (!ended) kill_agent(agent);
    start_agent(agent);
    return why;
  }
  void kill_agent(Agent& agent) {
    peak_agent_kib_ = std::max(peak_agent_kib_, peak_kib(agent.pid));
    kill(agent.pid, SIGKILL);
    // The fleet reaps it when it goes; a killed agent is a zombie until then, which is fine.
  }
  void write_token(const Agent& agent) {
    auto token = testbed::agent_token(*server_, agent.node->name);
    ASSERT_TRUE(token) << token.error().message;
    // Written aside and renamed, as the kubelet swaps a projected token.
    const std::string next = agent.token_file + ".next";
    ASSERT_TRUE(testbed::write_private_file(next, *token));
    fs::rename(next, agent.token_file);
  }

  // The names a workload's SeccompProfile allows, read as a user would (kubectl get -o json).
  std::set<std::string> allowed(const std::string& workload) {
    std::set<std::string> names;
    auto object =
        server_->get_object(std::string(common::kSpoGroup) + "/v1", "seccompprofiles", "",
                            common::profile_name({"shop", "Deployment", workload, "main"}));
    if (!object) return names;
    for (const auto& rule : (*object)["spec"].value("syscalls", nlohmann::json::array()))
      if (rule.value("action", "") == "SCMP_ACT_ALLOW")
        for (const auto& name : rule.value("names", nlohmann::json::array()))
          names.insert(name.get<std::string>());
    return names;
  }

  // The names a replica holds for a workload (its /api/v1/profiles), for a failure's message.
  std::string replica_names(const Replica& replica, const std::string& workload) {
    httplib::SSLClient client("127.0.0.1", replica.port);
    client.set_ca_cert_path(tls_.ca_file.c_str());
    auto answer = client.Get("/api/v1/profiles");
    if (!answer) {
      const auto log = common::read_file(replica.process.err_path);
      return "(no answer; its log ends: " +
             (log ? log->substr(log->size() > 600 ? log->size() - 600 : 0) : "") + ")";
    }
    std::string names;
    const auto state = nlohmann::json::parse(answer->body, nullptr, false);
    for (const auto& entry : state.value("workloads", nlohmann::json::array()))
      if (entry["key"].value("name", "") == workload)
        for (const auto& syscall : entry.value("syscalls", nlohmann::json::array()))
          names += " " + syscall.value("name", "?") + "(" + syscall.value("phase", "") + ")";
    return names;
  }

  fs::path dir_;
  testbed::TlsFiles tls_;
  std::unique_ptr<testbed::TestApiServer> server_;
  std::unique_ptr<testbed::SimulatedCluster> cluster_;
  std::vector<Replica> replicas_;
  std::vector<std::unique_ptr<testbed::AgentFleet>> fleets_;
  std::vector<std::string> mounts_;
  std::map<pid_t, std::string> agent_nodes_;  // every agent process started, by pid
  long peak_aggregator_kib_ = 0;
  long peak_agent_kib_ = 0;
};

TEST_F(ChaosTest, NoSyscallIsLostUnderMixedFaults) {
  const int run_s = env_int("TAILOR_CHAOS_SECONDS", 60);
  const uint32_t seed = static_cast<uint32_t>(env_int("TAILOR_CHAOS_SEED", int(::time(nullptr))));
  std::printf("chaos: %d s, seed %u (TAILOR_CHAOS_SEED=%u replays it)\n", run_s, seed, seed);
  std::mt19937 random(seed);
  const seconds outage(std::min(30, std::max(5, run_s / 6)));

  replicas_.resize(2);
  for (std::size_t r = 0; r < replicas_.size(); ++r) {
    Replica& replica = replicas_[r];
    replica.name = "replica-" + std::to_string(r);
    auto port = testing::free_port();
    ASSERT_TRUE(port) << port.error().message;
    replica.port = *port;
    start_replica(replica);
    fleets_.push_back(std::make_unique<testbed::AgentFleet>(
        TAILOR_BIN, *server_, dir_, "https://127.0.0.1:" + std::to_string(replica.port),
        tls_.ca_file));
  }
  std::vector<Agent> agents(3);
  for (int i = 0; i < 3; ++i) {
    auto node = cluster_->add_node("node-" + std::to_string(i + 1));
    ASSERT_TRUE(node) << node.error().message;
    agents[i] = {*node, i < 2 ? 0 : 1, (dir_ / ("token-node-" + std::to_string(i + 1))).string()};
    write_token(agents[i]);
    if (HasFatalFailure()) return;
  }
  // node-2's spool is a small disk of its own, to fill.
  const fs::path small_spool = dir_ / "spool-node-2";
  fs::create_directories(small_spool);
  ASSERT_EQ(mount("tmpfs", small_spool.c_str(), "tmpfs", 0, "size=2m"), 0) << strerror(errno);
  mounts_.push_back(small_spool);
  for (auto& agent : agents) start_agent(agent);

  // What each workload's running pods call: lists only grow, and a pod is stopped only once a
  // newer one of its workload makes all it made, so every call here is being made at the end.
  std::map<std::string, std::vector<long>> calls;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>>
      pods;  // (pod, node), oldest first
  auto start_pod = [&](const std::string& workload, const std::string& node) {
    testbed::PodSpec spec;
    spec.ns = "shop";
    spec.owner = {"Deployment", workload};
    spec.args = {TAILOR_TEST_WORKLOAD_STATIC, "call-loop", join(calls[workload])};
    spec.host_binds = {TAILOR_TEST_WORKLOAD_STATIC};
    auto pod = cluster_->start_pod(node, spec);
    EXPECT_TRUE(pod) << pod.error().message;
    if (pod) pods[workload].emplace_back((*pod)->spec.name, node);
  };
  const std::vector<std::string> workloads = {"alpha", "beta", "gamma"};
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    calls[workloads[w]] = kBase;
    start_pod(workloads[w], agents[w].node->name);
    start_pod(workloads[w], agents[(w + 1) % 3].node->name);
  }

  std::map<std::string, int> faults;
  std::mutex faults_mu;
  auto count = [&](const std::string& kind) {
    std::lock_guard lock(faults_mu);
    ++faults[kind];
  };
  std::atomic<bool> stop{false};
  const auto until = steady::now() + seconds(run_s);
  auto pause = [&](int low_ms, int high_ms, std::mt19937& rng) {
    const auto end =
        steady::now() + milliseconds(std::uniform_int_distribution(low_ms, high_ms)(rng));
    while (!stop && steady::now() < end) std::this_thread::sleep_for(milliseconds(50));
  };
  std::mutex processes_mu;  // agents and replicas are started and killed by two threads
  std::vector<std::string> kubelet_restarts;
  std::atomic<bool> kubelet_stop{false};
  std::thread kubelet([&] {
    while (!kubelet_stop) {
      std::this_thread::sleep_for(milliseconds(500));
      std::lock_guard lock(processes_mu);
      for (Agent& agent : agents)
        if (auto why = kubelet_restart(agent)) kubelet_restarts.push_back(*why);
    }
  });

  std::thread processes([&, rng = std::mt19937(seed + 1)]() mutable {
    while (!stop) {
      pause(1000, 4000, rng);
      if (stop) break;
      std::lock_guard lock(processes_mu);
      if (rng() % 2 == 0) {
        Agent& agent = agents[rng() % agents.size()];
        kill_agent(agent);
        count("agent kill -9");
        std::this_thread::sleep_for(milliseconds(500 + rng() % 1500));
        start_agent(agent);
      } else {
        Replica& replica = replicas_[rng() % replicas_.size()];
        stop_replica(replica);
        count("aggregator replica kill -9");
        std::this_thread::sleep_for(milliseconds(500 + rng() % 2500));
        start_replica(replica);
      }
    }
  });
  std::thread api([&, rng = std::mt19937(seed + 2)]() mutable {
    auto& injector = server_->faults();
    while (!stop) {
      pause(1000, 3000, rng);
      if (stop) break;
      switch (rng() % 4) {
        case 0:
          count("API server unavailable (" + std::to_string(outage.count()) + " s of 503)");
          for (Verb verb : {Verb::kGet, Verb::kList, Verb::kWatch, Verb::kCreate, Verb::kUpdate,
                            Verb::kPatch, Verb::kDelete})
            injector.set_error_rate(verb, 503, 1.0);
          pause(int(outage.count()) * 1000, int(outage.count()) * 1000, rng);
          break;
        case 1:
          count("API 409 on writes (30% for 5 s)");
          injector.set_error_rate(Verb::kUpdate, 409, 0.3);
          injector.set_error_rate(Verb::kCreate, 409, 0.3);
          pause(5000, 5000, rng);
          break;
        case 2:
          count("API 410 on watches and 500 on reads (50% for 5 s)");
          injector.set_error_rate(Verb::kWatch, 410, 0.5);
          injector.set_error_rate(Verb::kGet, 500, 0.5);
          injector.set_error_rate(Verb::kList, 500, 0.5);
          pause(5000, 5000, rng);
          break;
        default:
          count("API answers slow (800 ms for 5 s)");
          injector.set_latency(milliseconds(800));
          pause(5000, 5000, rng);
          break;
      }
      injector.clear();
    }
  });
  std::thread node_faults([&, rng = std::mt19937(seed + 3)]() mutable {
    while (!stop) {
      pause(2000, 5000, rng);
      if (stop) break;
      if (rng() % 2 == 0) {
        count("spool disk full (node-2, 5 s)");
        const fs::path filler = small_spool / "filler";
        {
          std::ofstream out(filler, std::ios::binary);
          const std::string block(64 << 10, 'x');
          while (out.write(block.data(), block.size())) {
          }
        }
        pause(5000, 5000, rng);
        std::error_code ec;
        fs::remove(filler, ec);
      } else {
        count("token rotation");
        write_token(agents[rng() % agents.size()]);
      }
    }
  });

  // Rollouts: now and then a workload's new pod makes one call more.
  std::size_t next_new = 0;
  int rollouts = 0;
  std::mt19937 rollout_rng(seed + 4);
  while (steady::now() < until) {
    std::this_thread::sleep_for(milliseconds(std::max(2000, run_s * 1000 / 12)));
    if (next_new >= kNew.size()) continue;
    const std::string& workload = workloads[rollout_rng() % workloads.size()];
    calls[workload].push_back(kNew[next_new++]);
    start_pod(workload, agents[rollout_rng() % agents.size()].node->name);
    ++rollouts;
    if (pods[workload].size() > 2) {
      EXPECT_TRUE(cluster_->kill_pod("shop", pods[workload].front().first));
      pods[workload].erase(pods[workload].begin());
    }
  }
  stop = true;
  processes.join();
  api.join();
  node_faults.join();
  server_->faults().clear();

  // Settled: everything up again, as the controllers would have it.
  const auto settle_start = steady::now();
  std::map<std::string, std::set<std::string>> missing;
  auto find_missing = [&] {
    missing.clear();
    for (const auto& [workload, numbers] : calls) {
      const auto names = allowed(workload);
      for (const long nr : numbers) {
        const auto known = common::syscall_name("x86_64", uint32_t(nr));
        const std::string name = known && *known ? **known : std::to_string(nr);
        if (!names.contains(name)) missing[workload].insert(name);
      }
    }
    return missing.empty();
  };
  // An aggregator replica killed after acknowledging a batch and before writing it has it again
  // from the agent's next count refresh (every 5 minutes): the longest a call may take.
  while (steady::now() - settle_start < seconds(330) && !find_missing())
    std::this_thread::sleep_for(milliseconds(500));
  const double settle_s = std::chrono::duration<double>(steady::now() - settle_start).count();
  kubelet_stop = true;
  kubelet.join();

  for (const auto& agent : agents) peak_agent_kib_ = std::max(peak_agent_kib_, peak_kib(agent.pid));
  for (const auto& replica : replicas_)
    peak_aggregator_kib_ = std::max(peak_aggregator_kib_, peak_kib(replica.process.pid));
  std::size_t made = 0;
  for (const auto& [workload, numbers] : calls) made += numbers.size();
  std::size_t lost = 0;
  for (const auto& [workload, names] : missing) lost += names.size();
  std::printf("chaos: faults injected by kind:\n");
  for (const auto& [kind, n] : faults) std::printf("  %4d  %s\n", n, kind.c_str());
  std::printf(
      "chaos: %zu syscalls made (workload, syscall), %d rollouts adding one; %zu lost; all in "
      "their profiles %.1f s after the faults stopped\n",
      made, rollouts, lost, settle_s);
  std::printf("chaos: peak RSS: aggregator replicas %.1f MiB, agents %.1f MiB\n",
              peak_aggregator_kib_ / 1024.0, peak_agent_kib_ / 1024.0);
  // An agent that was slow to come up, or that the kubelet had to start again, is the first
  // suspect of a loss on its node, and a bug of its own.
  std::string stalled;
  for (const auto& fleet : fleets_)
    for (const auto& stall : fleet->stalled()) stalled += "\n  " + stall;
  for (const auto& why : kubelet_restarts) stalled += "\n  the kubelet restarted " + why;
  if (!stalled.empty())
    std::printf("chaos: agents slow to start or restarted:%s\n", stalled.c_str());
  std::printf(
      "chaos: reproduce: TAILOR_CHAOS_SECONDS=%d TAILOR_CHAOS_SEED=%u %s "
      "--gtest_filter=ChaosTest.*\n",
      run_s, seed, ::testing::internal::GetArgvs()[0].c_str());
  for (const auto& [workload, names] : missing) {
    std::string list;
    for (const auto& name : names) list += " " + name;
    std::string where = "\n  its pods:";
    for (const auto& [pod, node] : pods[workload]) where += " " + pod + "@" + node;
    for (std::size_t r = 0; r < replicas_.size(); ++r)
      where +=
          "\n  replica " + std::to_string(r) + " holds: " + replica_names(replicas_[r], workload);
    where += "\n  agents' warnings and lines about its pods:";
    for (const auto& fleet : fleets_)
      for (const auto& agent : fleet->agents()) {
        const auto log = common::read_file(agent.err_path);
        if (!log) continue;
        std::istringstream lines(*log);
        for (std::string line; std::getline(lines, line);) {
          bool about = line.find("\"warn") != std::string::npos ||
                       line.find("\"error") != std::string::npos ||
                       line.find("not recording") != std::string::npos;
          for (const auto& [pod, node] : pods[workload])
            about = about || line.find(pod) != std::string::npos;
          if (about) where += "\n    " + line;
        }
      }
    ADD_FAILURE() << workload << "'s SeccompProfile lacks" << list << " (seed " << seed << ")"
                  << where
                  << (stalled.empty() ? "" : "\n  agents slow to start or restarted:" + stalled);
  }
}

}  // namespace
}  // namespace tailor::chaos
