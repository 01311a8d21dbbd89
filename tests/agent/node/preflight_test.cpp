#include "agent/node/preflight.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/common/testing/temp_dir.h"
#include "tests/support/port.h"
#include "tests/support/process.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using common::testing::TempDir;
using ::testing::HasSubstr;

const PreflightCheck& check(const Preflight& preflight, const std::string& name) {
  for (const auto& c : preflight.checks)
    if (c.name == name) return c;
  throw std::runtime_error("no check named " + name);
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A host as a failing node's agent sees it: sysfs without BTF, a /proc whose kernel has no
// bpffs, no cgroup2 mount and no capabilities, a pin directory on an ordinary filesystem.
class FakeNode {
 public:
  FakeNode() {
    fs::create_directories(sys() / "kernel");
    fs::create_directories(pin_dir());
    write(proc() / "filesystems", "nodev\tsysfs\nnodev\ttmpfs\n\text4\n");
    write(proc() / "self/status", "Name:\ttailor\nCapEff:\t0000000000000000\n");
    write(proc() / "self/mountinfo",
          "22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
          "30 22 0:26 / /sys/fs/cgroup/memory rw shared:9 - cgroup cgroup rw,memory\n");
  }
  fs::path sys() const { return dir_.path() / "sys"; }
  fs::path proc() const { return dir_.path() / "proc"; }
  fs::path pin_dir() const { return dir_.path() / "bpf/tailor"; }
  PreflightOptions options(std::string release = "4.19.0-27-amd64") const {
    return {sys(), proc(), pin_dir(), std::move(release)};
  }

 private:
  TempDir dir_;
};

// The real checks on this machine, which the bpf and e2e tests record on (root, BTF,
// cgroup2, a recent kernel): every check passes.
TEST(PreflightTest, ThisMachinePasses) {
  const Preflight preflight = run_preflight({});
  for (const auto& c : preflight.checks) EXPECT_TRUE(c.ok) << c.name << ": " << c.detail;
  EXPECT_TRUE(preflight.ok());
  EXPECT_TRUE(preflight.failures().empty());
  EXPECT_THAT(check(preflight, "btf").detail, HasSubstr("/sys/kernel/btf/vmlinux"));
}

TEST(PreflightTest, EveryFailureIsOneLineNamingItsCheckAndWhatToDo) {
  const FakeNode node;
  const Preflight preflight = run_preflight(node.options());
  EXPECT_FALSE(preflight.ok());
  ASSERT_EQ(preflight.failures().size(), 4u);
  EXPECT_THAT(check(preflight, "btf").detail, HasSubstr("CONFIG_DEBUG_INFO_BTF"));
  EXPECT_THAT(check(preflight, "bpffs").detail, HasSubstr("the kernel has none"));
  EXPECT_THAT(check(preflight, "cgroup2").detail, HasSubstr("no cgroup2 hierarchy is mounted"));
  EXPECT_THAT(check(preflight, "kernel").detail,
              HasSubstr("Linux 4.19.0-27-amd64 is older than 5.12"));
  for (const auto& line : preflight.failures()) {
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_TRUE(line.starts_with("preflight: ")) << line;
  }
  EXPECT_THAT(preflight.reason(), HasSubstr("preflight: btf: "));
  EXPECT_THAT(preflight.reason(), HasSubstr("; preflight: kernel: "));
}

TEST(PreflightTest, BtfPassesWhenVmlinuxIsThere) {
  const FakeNode node;
  write(node.sys() / "kernel/btf/vmlinux", "BTF");
  EXPECT_TRUE(check(run_preflight(node.options()), "btf").ok);
}

TEST(PreflightTest, BpffsNotMountedIsMountableOnlyWithCapSysAdmin) {
  const FakeNode node;
  write(node.proc() / "filesystems", "nodev\tsysfs\nnodev\tbpf\n");
  const auto without = check(run_preflight(node.options()), "bpffs");
  EXPECT_FALSE(without.ok);
  EXPECT_THAT(without.detail, HasSubstr("no CAP_SYS_ADMIN"));
  EXPECT_THAT(without.detail, HasSubstr("mount -t bpf bpf /sys/fs/bpf"));
  // CapEff of a privileged container: every capability, bit 21 among them.
  write(node.proc() / "self/status", "CapEff:\t000001ffffffffff\n");
  const auto with = check(run_preflight(node.options()), "bpffs");
  EXPECT_TRUE(with.ok) << with.detail;
  EXPECT_THAT(with.detail, HasSubstr("the agent mounts one"));
  // CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH, the chart's default: not enough to mount.
  write(node.proc() / "self/status", "CapEff:\t000000c000000004\n");
  EXPECT_FALSE(check(run_preflight(node.options()), "bpffs").ok);
}

TEST(PreflightTest, Cgroup2PureOrHybrid) {
  const FakeNode node;
  write(node.proc() / "self/mountinfo",
        "35 24 0:30 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw,nsdelegate\n");
  const auto hybrid = check(run_preflight(node.options()), "cgroup2");
  EXPECT_TRUE(hybrid.ok);
  EXPECT_EQ(hybrid.detail, "mounted at /sys/fs/cgroup/unified");
  write(node.proc() / "self/mountinfo",
        "35 24 0:30 / /sys/fs/cgroup rw shared:10 - cgroup2 cgroup2 rw,nsdelegate\n");
  EXPECT_EQ(check(run_preflight(node.options()), "cgroup2").detail, "mounted at /sys/fs/cgroup");
}

TEST(PreflightTest, KernelVersionFloor) {
  const FakeNode node;
  EXPECT_FALSE(check(run_preflight(node.options("5.11.22")), "kernel").ok);
  EXPECT_TRUE(check(run_preflight(node.options("5.12.0")), "kernel").ok);
  EXPECT_TRUE(check(run_preflight(node.options("6.1.0-18-amd64")), "kernel").ok);
  EXPECT_TRUE(check(run_preflight(node.options("10.0.0")), "kernel").ok);
  EXPECT_THAT(check(run_preflight(node.options("unknown")), "kernel").detail,
              HasSubstr("cannot read the kernel version"));
}

std::string exposition(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

TEST(PreflightTest, OneGaugePerCheck) {
  FakeNode node;
  write(node.sys() / "kernel/btf/vmlinux", "BTF");
  prometheus::Registry registry;
  export_preflight(run_preflight(node.options("6.1.0")), registry);
  const std::string text = exposition(registry);
  EXPECT_THAT(text, HasSubstr("tailor_agent_preflight_ok{check=\"btf\"} 1"));
  EXPECT_THAT(text, HasSubstr("tailor_agent_preflight_ok{check=\"bpffs\"} 0"));
  EXPECT_THAT(text, HasSubstr("tailor_agent_preflight_ok{check=\"cgroup2\"} 0"));
  EXPECT_THAT(text, HasSubstr("tailor_agent_preflight_ok{check=\"kernel\"} 1"));
}

// What the DaemonSet's probes see from the agent on a failing node.
TEST(PreflightTest, FailedNodeServesNotReadyWithTheReason) {
  const FakeNode node;
  const Preflight preflight = run_preflight(node.options());
  auto endpoint = serve_failed_preflight(preflight, {.address = "127.0.0.1", .port = 0});
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  httplib::Client client("127.0.0.1", (*endpoint)->port());
  const auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready) << httplib::to_string(ready.error());
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->body, preflight.reason() + "\n");
  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << "alive, so the kubelet does not restart it in a loop";
  const auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("tailor_agent_preflight_ok{check=\"kernel\"} 0"));
}

// The real `tailor agent` on a node whose pin directory is on no bpffs and which may not mount
// one (CAP_SYS_ADMIN dropped from the bounding set, as in the chart's unprivileged pod): it
// logs the failed check, stays up, answers /readyz 503 with the reason, and stops on SIGTERM.
TEST(PreflightAgentTest, AgentOnAFailingNodeIsNotReadyAndSaysWhy) {
  if (::geteuid() == 0) {
    ASSERT_EQ(::access("/usr/bin/setpriv", X_OK), 0) << "setpriv (util-linux) is missing";
  }
  const TempDir dir;
  write(dir.path() / "kubeconfig",
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n");
  const auto port_or = testing::free_port();
  ASSERT_TRUE(port_or) << port_or.error().message;
  const int port = *port_or;
  std::vector<std::string> argv = {TAILOR_BIN,         "agent",
                                   "--node-name",      "node-a",
                                   "--kubeconfig",     dir.file("kubeconfig"),
                                   "--aggregator",     "https://127.0.0.1:9",
                                   "--aggregator-ca",  dir.file("ca.crt"),
                                   "--pin-dir",        dir.file("pins"),
                                   "--spool-dir",      dir.file("spool"),
                                   "--listen-address", "127.0.0.1",
                                   "--listen-port",    std::to_string(port)};
  // Root may mount a bpffs: take CAP_SYS_ADMIN away as the chart's pod has it. Other users
  // lack it anyway.
  if (::geteuid() == 0)
    argv.insert(argv.begin(), {"/usr/bin/setpriv", "--bounding-set", "-sys_admin"});
  auto agent = tailor::testing::start_process(argv);
  httplib::Client client("127.0.0.1", port);
  // Started once it answers; the deadline only bounds a broken agent.
  const auto wait_ready = [&client] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      auto response = client.Get("/readyz");
      if (response || std::chrono::steady_clock::now() > deadline) return response;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  const auto ready = wait_ready();
  const auto metrics = client.Get("/metrics");
  ::kill(agent.pid, SIGTERM);
  const auto result = agent.wait();
  ASSERT_TRUE(ready) << "the agent never served /readyz; stderr: " << result.err;
  EXPECT_EQ(ready->status, 503);
  EXPECT_THAT(ready->body,
              HasSubstr("preflight: bpffs: no bpf filesystem holds " + dir.file("pins")));
  EXPECT_THAT(ready->body, HasSubstr("no CAP_SYS_ADMIN"));
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("tailor_agent_preflight_ok{check=\"bpffs\"} 0"));
  EXPECT_THAT(metrics->body, HasSubstr("tailor_agent_preflight_ok{check=\"kernel\"} 1"));
  EXPECT_THAT(result.err, HasSubstr("\"msg\":\"preflight: bpffs: no bpf filesystem holds"));
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "pins")) << "nothing is loaded or pinned on a failing node";
}

}  // namespace
}  // namespace tailor::agent
