// The agent's composition root, built in-process: the real recorder (BPF), real runc pods on a
// simulated node of the test bed, and the real aggregator it delivers to. Root, runc, BTF.
#include "agent/node/node_agent.h"

#include <gmock/gmock.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "aggregator/aggregator.h"
#include "aggregator/writer/profile_object.h"
#include "common/k8s/profile_names.h"
#include "tests/agent/node/enforced_pod.h"
#include "tests/aggregator/aggregator_bed.h"
#include "tests/support/recording.h"
#include "tests/testbed/agent_fleet.h"
#include "tests/testbed/simulated_cluster.h"
#include "tests/testbed/tls_material.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using State = ContainerRecord::State;

const common::WorkloadKey kWeb{"shop", "Deployment", "web", "main"};

class NodeAgentTest : public aggregator::AggregatorBed {
 protected:
  void SetUp() override {
    if (auto why = testbed::runtime_unavailable(runtime_)) FAIL() << *why;
    TAILOR_REQUIRE_BTF();
    AggregatorBed::SetUp();
    if (HasFatalFailure()) return;
    dir_ = fs::temp_directory_path() / ("tailor-node-agent-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto cluster = testbed::recording_cluster(*server_, dir_);
    ASSERT_TRUE(cluster) << cluster.error().message;
    cluster_ = std::move(cluster->cluster);
    auto node = cluster_->add_node("node-a");
    ASSERT_TRUE(node) << node.error().message;
    node_ = *node;

    const testbed::TlsFiles& tls = cluster->tls;
    aggregator_options_.endpoint = {"127.0.0.1", 0, tls.cert_file, tls.key_file};
    auto aggregator = aggregator::Aggregator::create(new_client(), aggregator_options_);
    ASSERT_TRUE(aggregator) << aggregator.error().message;
    aggregator_ = std::move(*aggregator);
    ASSERT_TRUE(aggregator_->start());

    const std::string token_file = (dir_ / "token").string();
    ASSERT_TRUE(testbed::write_private_file(token_file, agent_token(node_->name)));
    NodeAgentOptions options;
    options.node_name = node_->name;
    options.cgroup_roots = {node_->cgroup_root};
    options.pin_dir = "";  // nothing pinned: the test leaves no recorder behind
    options.spool_dir = (dir_ / "spool").string();
    options.sender = {.aggregator = "https://127.0.0.1:" + std::to_string(aggregator_->port()),
                      .ca_file = tls.ca_file,
                      .token_file = token_file};
    options.listen_address = "127.0.0.1";
    options.listen_port = 0;
    options.errno_watch_linger = errno_watch_linger_;
    auto agent = NodeAgent::create(options, new_client());
    ASSERT_TRUE(agent) << agent.error().message;
    agent_ = std::move(*agent);
    ASSERT_TRUE(agent_->start());
  }

  void TearDown() override {
    agent_.reset();
    if (cluster_) (void)cluster_->teardown();
    if (aggregator_) aggregator_->stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs the agent's rounds, as its loop does, until `done` or 30 s.
  bool rounds_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      agent_->consume_events();
      agent_->round();
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  const ContainerRecord* record_of(const common::WorkloadKey& key) {
    for (const auto& [id, record] : agent_->containers().records())
      if (record.workload == key) return &record;
    return nullptr;
  }

  std::string exposition() {
    return prometheus::TextSerializer().Serialize(agent_->metrics().registry()->Collect());
  }

  testbed::OciRuntime runtime_ = testbed::OciRuntime::kRunc;
  std::chrono::seconds errno_watch_linger_ = NodeAgentOptions{}.errno_watch_linger;
  aggregator::AggregatorOptions aggregator_options_;
  fs::path dir_;
  std::unique_ptr<testbed::SimulatedCluster> cluster_;
  const testbed::SimulatedNode* node_ = nullptr;
  std::unique_ptr<aggregator::Aggregator> aggregator_;
  std::unique_ptr<NodeAgent> agent_;
};

TEST_F(NodeAgentTest, RecordsAttributesDeliversAndRetiresAWorkloadsContainer) {
  testbed::PodSpec spec;
  spec.ns = "shop";
  spec.owner = {"Deployment", "web"};
  spec.args = {"sh", "-c", "while true; do uname >/dev/null; sleep 0.2; done"};
  auto pod = cluster_->start_pod(node_->name, spec);
  ASSERT_TRUE(pod) << pod.error().message;
  const std::string pod_name = (*pod)->spec.name;

  ASSERT_TRUE(rounds_until([&] { return aggregator_->store().get(kWeb).has_value(); }))
      << "the aggregator never got the workload";
  const ContainerRecord* record = record_of(kWeb);
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->state, State::recording);
  EXPECT_EQ(record->container_id, (*pod)->container_id());
  EXPECT_EQ(record->pod_uid, (*pod)->uid);
  std::string text = exposition();
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_tracked_containers 1\n"));
  EXPECT_THAT(text, HasSubstr("tailor_agent_workload_syscalls{workload_container=\"main\","
                              "workload_kind=\"Deployment\",workload_name=\"web\","
                              "workload_namespace=\"shop\"}"));
  EXPECT_THAT(text, Not(HasSubstr("\ntailor_agent_reports_sent_total 0\n")));
  EXPECT_THAT(text, Not(HasSubstr("\ntailor_agent_recorder_sets_in_use 0\n")));
  EXPECT_THAT(text, Not(HasSubstr("\ntailor_agent_recorder_events_sent_total 0\n")));
  // No filter, no profile asked for: not enforced, and the ERRNO hook stays off.
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_enforced_containers 0\n"));
  EXPECT_FALSE(record->filtered);
  EXPECT_FALSE(agent_->recorder().watching_errno_denials());
  // get() returns a copy: keep it while its report is read.
  const auto tracked = aggregator_->store().get(kWeb);
  const auto& report = tracked->reports.begin()->second;
  EXPECT_EQ(report.pods_filtered, 0u);
  EXPECT_EQ(report.localhost_profile, "");

  // Its container exits: read once more, retired, its sets handed back to the recorder.
  ASSERT_TRUE(cluster_->kill_pod("shop", pod_name));
  ASSERT_TRUE(rounds_until([&] { return record_of(kWeb) == nullptr; }))
      << "the finished container was never released";
  text = exposition();
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_tracked_containers 0\n"));
  EXPECT_THAT(text, HasSubstr("\ntailor_agent_recorder_sets_in_use 0\n"))
      << "no set of the node is in use once its only container is gone";
  EXPECT_TRUE(aggregator_->store().get(kWeb).has_value());
}

// A pod enforced with its workload's own profile (as Tailor writes it for SPO), under runc and
// crun: the agent reports it enforced; a call the filter denies turns it denying and shows in
// the agent's metrics.
class EnforcementTest : public NodeAgentTest,
                        public ::testing::WithParamInterface<testbed::OciRuntime> {
 protected:
  EnforcementTest() {
    runtime_ = GetParam();
    aggregator_options_.writer.debounce = std::chrono::milliseconds(0);
  }
};

TEST_P(EnforcementTest, DeniedCallOfAnEnforcedPodTurnsItsWorkloadDenyingAndIsCounted) {
  const std::string own = aggregator::spo_localhost_profile(
      aggregator::profile_location(kWeb, aggregator_->writer().api_version()));
  const std::string name = common::profile_name(kWeb);
  const fs::path trigger = dir_ / "trigger";
  fs::create_directories(trigger);
  // Allowed calls until the test says go, then a loop of the one call the filter denies.
  const std::string denied = "sched_get_priority_min";
  auto nr = common::syscall_number(abi_arch(TAILOR_ABI_NATIVE), denied);
  ASSERT_TRUE(nr && *nr);
  testbed::PodSpec spec = testing::enforced_pod(
      "shop", {"Deployment", "web"}, own, testing::profile_denying({denied}),
      {"sh", "-c",
       "while [ ! -e " + (trigger / "go").string() + " ]; do sleep 0.1; done; exec " +
           TAILOR_TEST_WORKLOAD_STATIC + " call-loop " + std::to_string(**nr)});
  spec.runtime = GetParam();
  spec.host_binds = {TAILOR_TEST_WORKLOAD_STATIC, trigger.string()};
  auto pod = cluster_->start_pod(node_->name, spec);
  ASSERT_TRUE(pod) << pod.error().message;
  const std::string uid = (*pod)->uid;

  const auto state_is = [&](const std::string& state) {
    return rounds_until([&] { return testing::profile_state(*server_, name) == state; });
  };
  ASSERT_TRUE(state_is("enforced")) << testing::profile_state(*server_, name);
  const ContainerRecord* record = record_of(kWeb);
  ASSERT_NE(record, nullptr);
  EXPECT_TRUE(record->filtered);
  EXPECT_EQ(record->seccomp.localhost_profile, own);
  EXPECT_TRUE(agent_->recorder().watching_errno_denials());
  EXPECT_THAT(exposition(), HasSubstr("\ntailor_agent_enforced_containers 1\n"));
  EXPECT_THAT(exposition(), Not(HasSubstr("tailor_agent_denials_total{")));

  std::ofstream(trigger / "go").put('\n');
  ASSERT_TRUE(state_is("denying")) << testing::profile_state(*server_, name);
  const auto tracked = aggregator_->store().get(kWeb);
  ASSERT_TRUE(tracked);
  ASSERT_EQ(tracked->reports.size(), 1u);
  const auto& report = tracked->reports.begin()->second;
  EXPECT_EQ(report.localhost_profile, own);
  EXPECT_EQ(report.pods_filtered, 1u);
  ASSERT_EQ(report.denied.size(), 1u);
  EXPECT_EQ(report.denied[0].name, denied);
  EXPECT_EQ(report.denied[0].action, common::DenialAction::errno_ret);
  EXPECT_EQ(report.denied[0].first_pod, uid);
  EXPECT_GE(report.denied[0].count, 1u);
  const std::string series = "tailor_agent_denials_total{action=\"errno\",arch=\"" +
                             abi_arch(TAILOR_ABI_NATIVE) + "\",syscall=\"" + denied +
                             "\",workload_container=\"main\",workload_kind=\"Deployment\","
                             "workload_name=\"web\",workload_namespace=\"shop\"}";
  EXPECT_THAT(exposition(), HasSubstr(series));

  // The pod ends: its denials are let go in the recorder, its series go with it.
  ASSERT_TRUE(cluster_->kill_pod("shop", (*pod)->spec.name));
  ASSERT_TRUE(rounds_until([&] { return record_of(kWeb) == nullptr; }));
  const auto left = agent_->recorder().read_denials();
  ASSERT_TRUE(left) << left.error().message;
  EXPECT_TRUE(left->empty()) << "the released container's denials stay in the recorder";
  EXPECT_TRUE(agent_->recorder().watching_errno_denials()) << "for the linger after the last";
  EXPECT_THAT(exposition(), Not(HasSubstr("tailor_agent_denials_total{")));
  EXPECT_THAT(exposition(), HasSubstr("\ntailor_agent_enforced_containers 0\n"));
}

// Without a linger the hook goes as soon as no recorded container runs filtered.
class ErrnoHookTest : public NodeAgentTest {
 protected:
  ErrnoHookTest() { errno_watch_linger_ = std::chrono::seconds(0); }
};

TEST_F(ErrnoHookTest, IsDetachedOnceNoRecordedContainerRunsFiltered) {
  testbed::PodSpec spec = testing::enforced_pod(
      "shop", {"Deployment", "web"}, "operator/shop/web.json",
      testing::profile_denying({"sched_get_priority_min"}), {"sleep", "3600"});
  auto pod = cluster_->start_pod(node_->name, spec);
  ASSERT_TRUE(pod) << pod.error().message;
  ASSERT_TRUE(rounds_until([&] { return agent_->recorder().watching_errno_denials(); }))
      << "never attached for the filtered container";
  ASSERT_TRUE(cluster_->kill_pod("shop", (*pod)->spec.name));
  EXPECT_TRUE(rounds_until([&] { return !agent_->recorder().watching_errno_denials(); }))
      << "still attached with no filtered container left";
}

INSTANTIATE_TEST_SUITE_P(Runtimes, EnforcementTest,
                         ::testing::Values(testbed::OciRuntime::kRunc, testbed::OciRuntime::kCrun),
                         [](const auto& info) { return testbed::runtime_name(info.param); });

}  // namespace
}  // namespace tailor::agent
