#include "common/k8s/client/kube_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/support/wait.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using testbed::TestApiServer;
using testbed::Verb;

const std::string kLeases = api_path("coordination.k8s.io/v1", "leases", "tailor");
const std::string kPods = api_path("v1", "pods");

json lease(const std::string& name, const std::string& holder) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}, {"namespace", "tailor"}}},
          {"spec", {{"holderIdentity", holder}}}};
}

json pod(const std::string& name, const std::string& node) {
  return {{"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", {{"nodeName", node}, {"containers", {{{"name", "c"}}}}}}};
}

class KubeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testbed::TestApiServerOptions options;
    options.bookmark_interval = std::chrono::milliseconds(100);
    auto server = TestApiServer::start(options);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    auto config = load_kubeconfig(server_->kubeconfig_path());
    ASSERT_TRUE(config) << config.error().message;
    config_ = *config;
    auto client = KubeClient::create(config_);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
  }

  // Lists pods with a client of its own made from `config` (a wrong token, an unreachable
  // server: making the client does not reach the server, listing does).
  static ApiResult list_pods_with(const ClusterConfig& config) {
    auto client = KubeClient::create(config);
    if (!client) return ApiResult(client.error(), -1);
    return (*client)->list(kPods);
  }

  std::unique_ptr<TestApiServer> server_;
  ClusterConfig config_;
  std::unique_ptr<KubeClient> client_;
};

TEST_F(KubeClientTest, CreateGetReplacePatchDelete) {
  auto created = client_->create(kLeases, lease("agent", "node-a"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created.status(), 201);
  const std::string path = kLeases + "/agent";
  auto got = client_->get(path);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)["spec"]["holderIdentity"], "node-a");

  json changed = *got;
  changed["spec"]["holderIdentity"] = "node-b";
  auto replaced = client_->replace(path, changed);
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ((*replaced)["spec"]["holderIdentity"], "node-b");

  auto stale = client_->replace(path, changed);  // changed still has the old resourceVersion
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.status(), 409);
  EXPECT_NE(stale.error().message.find("PUT " + path + ": 409 Conflict: "), std::string::npos)
      << stale.error().message;

  auto patched =
      client_->patch(path, {{"spec", {{"leaseDurationSeconds", 15}}}}, PatchType::kMerge);
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ((*patched)["spec"]["leaseDurationSeconds"], 15);

  ASSERT_TRUE(client_->remove(path));
  auto gone = client_->get(path);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.status(), 404);
  EXPECT_NE(gone.error().message.find("404 NotFound"), std::string::npos) << gone.error().message;
}

TEST_F(KubeClientTest, ListWithFieldSelector) {
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-a")));
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("b", "node-b")));
  auto list = client_->list(kPods, {.field_selector = "spec.nodeName=node-b"});
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ((*list)["items"][0]["metadata"]["name"], "b");
}

TEST_F(KubeClientTest, InjectedFaultsCarryTheirStatus) {
  server_->faults().fail_next(Verb::kList, 500, 1);
  auto list = client_->list(kPods);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.status(), 500);
  EXPECT_NE(list.error().message.find("injected fault"), std::string::npos);
}

TEST_F(KubeClientTest, WrongTokenIs401) {
  ClusterConfig config = config_;
  config.token = "wrong";
  auto list = list_pods_with(config);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.status(), 401);
}

TEST_F(KubeClientTest, RotatedTokenIsPickedUpAfterTheRefreshInterval) {
  const std::string file = server_->work_dir() + "/rotating-token";
  std::ofstream(file) << "expired-token\n";
  auto now = std::chrono::steady_clock::time_point{};
  ClusterConfig config = config_;
  config.token.clear();
  config.token_file = file;
  KubeClientOptions options;
  options.clock = [&now] { return now; };
  auto client = KubeClient::create(config, options);
  ASSERT_TRUE(client) << client.error().message;
  EXPECT_EQ((*client)->list(kPods).status(), 401);
  std::ofstream(file) << server_->admin_token() << "\n";
  EXPECT_EQ((*client)->list(kPods).status(), 401);  // not re-read yet
  now += std::chrono::seconds(60);
  auto list = (*client)->list(kPods);
  EXPECT_TRUE(list) << list.error().message;
}

TEST_F(KubeClientTest, ServerIsVerifiedAgainstTheConfiguredCa) {
  // Another server's CA does not vouch for this one.
  auto other = TestApiServer::start();
  ASSERT_TRUE(other) << other.error().message;
  auto other_config = load_kubeconfig((*other)->kubeconfig_path());
  ASSERT_TRUE(other_config);
  ClusterConfig config = config_;
  config.ca_pem = other_config->ca_pem;
  auto client = KubeClient::create(config);
  ASSERT_TRUE(client);
  auto list = (*client)->list(kPods);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.status(), 0);
  EXPECT_NE(list.error().message.find("certificate"), std::string::npos) << list.error().message;

  config.insecure_skip_tls_verify = true;
  auto insecure = KubeClient::create(config);
  ASSERT_TRUE(insecure);
  EXPECT_TRUE((*insecure)->list(kPods));

  config.ca_pem = "not a certificate";
  config.insecure_skip_tls_verify = false;
  EXPECT_FALSE(KubeClient::create(config));
}

TEST_F(KubeClientTest, RequestsReuseOneConnectionAndSurviveItsClosing) {
  ASSERT_TRUE(client_->create(kLeases, lease("agent", "node-a")));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client_->get(kLeases + "/agent"));
  EXPECT_EQ(server_->connection_count(), 1u) << "one TLS handshake, not eleven";

  // The server closes a connection idle for a second; the next request opens another. The idle
  // time is the point: the shortest wait that is surely longer.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto got = client_->get(kLeases + "/agent");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(server_->connection_count(), 2u);

  // Requests at once each get a connection of their own.
  std::vector<std::thread> threads;
  std::atomic<int> answered = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) answered += client_->get(kLeases + "/agent").ok() ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answered, 20);
}

TEST_F(KubeClientTest, UnreachableServerIsStatusZero) {
  ClusterConfig config = config_;
  config.server = "https://127.0.0.1:1";
  auto list = list_pods_with(config);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.status(), 0);
  EXPECT_NE(list.error().message.find("cannot connect"), std::string::npos);
}

TEST_F(KubeClientTest, WatchStreamsEventsAndBookmarksUntilTheServerTimeout) {
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-a")));
  std::vector<WatchEvent> events;
  std::atomic<bool> opened = false;
  // The watch starts from now: the changes come once it has told of what is there.
  std::thread writer([&] {
    (void)tailor::testing::wait_until([&] { return opened.load(); });
    (void)server_->put_object("v1", "pods", pod("b", "node-a"));
    (void)server_->put_object("v1", "pods", pod("c", "node-b"));
    server_->delete_object("v1", "pods", "default", "a");
  });
  WatchOptions options;
  options.timeout_seconds = 1;
  options.selectors.field_selector = "spec.nodeName=node-a";
  auto end = client_->watch(kPods, options, [&](const WatchEvent& e) {
    events.push_back(e);
    opened = true;
    return true;
  });
  writer.join();
  ASSERT_TRUE(end) << end.error().message;
  std::vector<std::string> seen;
  for (const auto& e : events) {
    if (e.type != "BOOKMARK") seen.push_back(e.type + " " + e.object["metadata"].value("name", ""));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED a", "ADDED b", "DELETED a"}));
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const WatchEvent& e) { return e.type == "BOOKMARK"; }));
}

TEST_F(KubeClientTest, WatchFromACompactedVersionGetsA410ErrorEvent) {
  auto list = client_->list(kPods);
  ASSERT_TRUE(list);
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-a")));
  server_->expire_watches();
  WatchOptions options;
  options.resource_version = (*list)["metadata"]["resourceVersion"];
  int code = 0;
  auto end = client_->watch(kPods, options, [&](const WatchEvent& e) {
    if (e.type == "ERROR") code = e.object.value("code", 0);
    return e.type != "ERROR";
  });
  EXPECT_TRUE(end) << end.error().message;
  EXPECT_EQ(code, 410);
}

TEST_F(KubeClientTest, GarbageOnTheWatchIsAnError) {
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-a")));
  server_->faults().garble_next_watch_events(1);
  auto end = client_->watch(kPods, {}, [](const WatchEvent&) { return true; });
  ASSERT_FALSE(end);
  EXPECT_NE(end.error().message.find("not JSON"), std::string::npos) << end.error().message;
}

TEST_F(KubeClientTest, WatchIsCancelledPromptly) {
  Cancellation cancellation;
  std::atomic<bool> opened = false;
  std::thread watcher([&] {
    (void)client_->watch(
        kPods, {},
        [&](const WatchEvent&) {
          opened = true;
          return true;
        },
        &cancellation);
  });
  while (!opened) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = std::chrono::steady_clock::now();
  cancellation.cancel();
  watcher.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_FALSE(client_->list(kPods, {}, &cancellation));  // stays cancelled
}

}  // namespace
}  // namespace tailor::common
