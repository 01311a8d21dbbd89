#include <gtest/gtest.h>
#include <httplib.h>

#include <sstream>
#include <thread>

#include "tests/support/wait.h"
#include "tests/testbed/test_api_server.h"

namespace tailor::testbed {
namespace {

using nlohmann::json;

constexpr const char* kSp = "/apis/security-profiles-operator.x-k8s.io/v1/seccompprofiles";

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestApiServerOptions options;
    options.tls = false;
    options.bookmark_interval = std::chrono::milliseconds(100);
    auto started = TestApiServer::start(options);
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_bearer_token_auth(server_->admin_token().c_str());
    client_->set_read_timeout(10);
  }

  std::pair<int, json> call(const std::string& method, const std::string& path,
                            const json& body = nullptr,
                            const std::string& type = "application/json") {
    const std::string text = body.is_string() ? body.get<std::string>() : body.dump();
    auto r = method == "GET"     ? client_->Get(path.c_str())
             : method == "POST"  ? client_->Post(path.c_str(), text, type.c_str())
             : method == "PUT"   ? client_->Put(path.c_str(), text, type.c_str())
             : method == "PATCH" ? client_->Patch(path.c_str(), text, type.c_str())
                                 : client_->Delete(path.c_str());
    if (!r) return {0, nullptr};
    return {r->status, json::parse(r->body, nullptr, false)};
  }

  // The events of a watch that ends by itself (timeoutSeconds or an error).
  std::vector<json> watch(const std::string& path) {
    auto r = client_->Get(path.c_str());
    std::vector<json> events;
    if (!r) return events;
    std::istringstream lines(r->body);
    for (std::string line; std::getline(lines, line);) events.push_back(json::parse(line));
    return events;
  }

  static json profile(const std::string& name, const std::string& action = "SCMP_ACT_ALLOW") {
    return {{"apiVersion", "security-profiles-operator.x-k8s.io/v1"},
            {"kind", "SeccompProfile"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"defaultAction", "SCMP_ACT_ERRNO"},
              {"syscalls", {{{"action", action}, {"names", {"read", "write"}}}}}}}};
  }

  json pod(const std::string& name, const std::string& node) {
    return {{"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", {{"nodeName", node}}}};
  }

  std::unique_ptr<TestApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ApiServerTest, RequiresABearerToken) {
  httplib::Client anonymous("127.0.0.1", server_->port());
  auto r = anonymous.Get("/api/v1/pods");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(json::parse(r->body)["reason"], "Unauthorized");
}

TEST_F(ApiServerTest, AStrategicMergePatchMergesContainersByName) {
  const std::string path = "/apis/apps/v1/namespaces/default/deployments/web";
  const json containers = json::array(
      {{{"name", "app"}, {"image", "app:1"}}, {{"name", "proxy"}, {"image", "envoy:1"}}});
  ASSERT_TRUE(
      server_->put_object("apps/v1", "deployments",
                          {{"metadata", {{"name", "web"}, {"namespace", "default"}}},
                           {"spec", {{"template", {{"spec", {{"containers", containers}}}}}}}}));
  const json patch = {
      {"spec",
       {{"template",
         {{"spec",
           {{"$setElementOrder/containers", json::array({{{"name", "app"}}, {{"name", "proxy"}}})},
            {"containers", json::array({{{"name", "app"}, {"securityContext", {{"runAsUser", 1}}}},
                                        {{"name", "log"}, {"image", "fluent:1"}}})}}}}}}}};
  auto [code, patched] = call("PATCH", path, patch, "application/strategic-merge-patch+json");
  ASSERT_EQ(code, 200) << patched.dump();
  const json& merged = patched["spec"]["template"]["spec"];
  EXPECT_EQ(
      merged["containers"],
      json::array({{{"name", "app"}, {"image", "app:1"}, {"securityContext", {{"runAsUser", 1}}}},
                   {{"name", "proxy"}, {"image", "envoy:1"}},
                   {{"name", "log"}, {"image", "fluent:1"}}}));
  EXPECT_FALSE(merged.contains("$setElementOrder/containers"));
  // A JSON merge patch replaces the list, as the real server does.
  auto [merge_code, replaced] =
      call("PATCH", path, {{"spec", {{"template", {{"spec", {{"containers", containers}}}}}}}},
           "application/merge-patch+json");
  ASSERT_EQ(merge_code, 200);
  EXPECT_EQ(replaced["spec"]["template"]["spec"]["containers"], containers);
}

TEST_F(ApiServerTest, ServesDiscovery) {
  auto [code, groups] = call("GET", "/apis");
  ASSERT_EQ(code, 200);
  bool spo = false;
  for (const auto& g : groups["groups"]) {
    if (g["name"] == "security-profiles-operator.x-k8s.io") {
      spo = true;
      EXPECT_EQ(g["preferredVersion"]["version"], "v1");
      EXPECT_EQ(g["versions"].size(), 3u)
          << "SeccompProfile v1 and v1beta1, ProfileBinding v1alpha1";
    }
  }
  EXPECT_TRUE(spo);
  auto [c1, v1] = call("GET", "/apis/security-profiles-operator.x-k8s.io/v1");
  ASSERT_EQ(c1, 200);
  EXPECT_EQ(v1["resources"][0]["namespaced"], false);
  EXPECT_EQ(v1["resources"][0]["shortNames"][0], "sp");
  auto [c2, beta] = call("GET", "/apis/security-profiles-operator.x-k8s.io/v1beta1");
  ASSERT_EQ(c2, 200);
  EXPECT_EQ(beta["resources"][0]["namespaced"], true);
  auto [c3, alpha] = call("GET", "/apis/security-profiles-operator.x-k8s.io/v1alpha1");
  ASSERT_EQ(c3, 200);
  EXPECT_EQ(alpha["resources"][0]["name"], "profilebindings");
  EXPECT_EQ(alpha["resources"][0]["namespaced"], true);
  EXPECT_EQ(call("GET", "/api").first, 200);
  EXPECT_EQ(call("GET", "/apis/coordination.k8s.io/v1").first, 200);
}

TEST_F(ApiServerTest, CreatesUpdatesWithOptimisticConcurrencyAndDeletes) {
  auto [code, created] = call("POST", kSp, profile("p1"));
  ASSERT_EQ(code, 201) << created.dump();
  EXPECT_EQ(created["spec"]["state"], "Enabled");  // defaulted from the schema
  EXPECT_EQ(created["metadata"]["generation"], 1);
  EXPECT_EQ(call("POST", kSp, profile("p1")).second["reason"], "AlreadyExists");

  json update = created;
  update["spec"]["defaultAction"] = "SCMP_ACT_LOG";
  auto [c2, updated] = call("PUT", std::string(kSp) + "/p1", update);
  ASSERT_EQ(c2, 200) << updated.dump();
  EXPECT_EQ(updated["metadata"]["generation"], 2);
  auto [c3, stale] = call("PUT", std::string(kSp) + "/p1", update);  // old resourceVersion
  EXPECT_EQ(c3, 409);
  EXPECT_EQ(stale["reason"], "Conflict");
  update["metadata"].erase("resourceVersion");
  EXPECT_EQ(call("PUT", std::string(kSp) + "/p1", update).first, 422);

  auto [c4, list] = call("GET", kSp);
  ASSERT_EQ(c4, 200);
  EXPECT_EQ(list["kind"], "SeccompProfileList");
  EXPECT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(call("DELETE", std::string(kSp) + "/p1").first, 200);
  EXPECT_EQ(call("GET", std::string(kSp) + "/p1").second["reason"], "NotFound");
}

TEST_F(ApiServerTest, RejectsNonConformingProfilesWith422Status) {
  auto [code, status] = call("POST", kSp, profile("bad", "SCMP_ACT_SOMETIMES"));
  ASSERT_EQ(code, 422);
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["reason"], "Invalid");
  EXPECT_EQ(status["details"]["causes"][0]["field"], "spec.syscalls[0].action");
  EXPECT_EQ(status["details"]["causes"][0]["reason"], "FieldValueNotSupported");
  EXPECT_EQ(status["message"].get<std::string>().rfind(
                "SeccompProfile.security-profiles-operator.x-k8s.io \"bad\" is invalid: "
                "spec.syscalls[0].action: Unsupported value: \"SCMP_ACT_SOMETIMES\"",
                0),
            0u)
      << status["message"];
  json no_names = profile("bad");
  no_names["spec"]["syscalls"][0].erase("names");
  auto [c2, s2] = call("POST", kSp, no_names);
  EXPECT_EQ(c2, 422);
  EXPECT_EQ(s2["details"]["causes"][0]["message"], "Required value");
}

TEST_F(ApiServerTest, ServerSideApplyCreatesThenReplacesTheManagersFields) {
  const std::string path = std::string(kSp) + "/applied?fieldManager=tailor";
  const std::string yaml =
      "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\n"
      "metadata: {name: applied}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  architectures: "
      "[SCMP_ARCH_X86_64]\n";
  auto [c1, first] = call("PATCH", path, yaml, "application/apply-patch+yaml");
  ASSERT_EQ(c1, 201) << first.dump();
  EXPECT_EQ(first["metadata"]["managedFields"][0]["manager"], "tailor");
  auto [c2, second] =
      call("PATCH", path,
           "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\n"
           "metadata: {name: applied}\nspec: {defaultAction: SCMP_ACT_LOG}\n",
           "application/apply-patch+yaml");
  ASSERT_EQ(c2, 200) << second.dump();
  EXPECT_EQ(second["spec"]["defaultAction"], "SCMP_ACT_LOG");
  EXPECT_FALSE(second["spec"].contains("architectures"));
  EXPECT_EQ(
      call("PATCH", std::string(kSp) + "/applied", yaml, "application/apply-patch+yaml").first,
      400);
  auto [c3, invalid] =
      call("PATCH", path, "spec: {defaultAction: NOPE}\n", "application/apply-patch+yaml");
  EXPECT_EQ(c3, 422) << invalid.dump();
}

TEST_F(ApiServerTest, ServesNamespacedV1beta1AndLeases) {
  json p = profile("ns-profile");
  p["apiVersion"] = "security-profiles-operator.x-k8s.io/v1beta1";
  const std::string beta =
      "/apis/security-profiles-operator.x-k8s.io/v1beta1/namespaces/team-a/seccompprofiles";
  auto [code, created] = call("POST", beta, p);
  ASSERT_EQ(code, 201) << created.dump();
  EXPECT_EQ(created["metadata"]["namespace"], "team-a");
  EXPECT_EQ(call("GET", "/apis/security-profiles-operator.x-k8s.io/v1beta1/seccompprofiles")
                .second["items"]
                .size(),
            1u);

  const std::string leases = "/apis/coordination.k8s.io/v1/namespaces/tailor/leases";
  json lease = {{"metadata", {{"name", "aggregator"}}},
                {"spec", {{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}}};
  auto [c2, l] = call("POST", leases, lease);
  ASSERT_EQ(c2, 201) << l.dump();
  l["spec"]["holderIdentity"] = "b";
  EXPECT_EQ(call("PUT", leases + "/aggregator", l).first, 200);
  EXPECT_EQ(call("PUT", leases + "/aggregator", l).first, 409);  // the other candidate lost
}

TEST_F(ApiServerTest, WatchesPodsOfOneNodeWithBookmarks) {
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-1")));
  auto [code, list] = call("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1");
  ASSERT_EQ(code, 200);
  ASSERT_EQ(list["items"].size(), 1u);
  const std::string rv = list["metadata"]["resourceVersion"];
  std::thread writer([&] {
    (void)testing::wait_until([&] { return server_->request_count(Verb::kWatch) >= 1; });
    (void)server_->put_object("v1", "pods", pod("b", "node-2"));
    (void)server_->put_object("v1", "pods", pod("c", "node-1"));
    server_->delete_object("v1", "pods", "default", "a");
  });
  auto events = watch(
      "/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=1"
      "&fieldSelector=spec.nodeName%3Dnode-1&resourceVersion=" +
      rv);
  writer.join();
  std::vector<std::string> seen;
  bool bookmark = false;
  for (const auto& e : events) {
    if (e["type"] == "BOOKMARK") {
      bookmark = true;
      EXPECT_FALSE(e["object"]["metadata"]["resourceVersion"].get<std::string>().empty());
    } else {
      seen.push_back(e["type"].get<std::string>() + " " +
                     e["object"]["metadata"]["name"].get<std::string>());
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED c", "DELETED a"}));
  EXPECT_TRUE(bookmark);
}

TEST_F(ApiServerTest, ExpiredHistoryEndsWatchesWith410) {
  ASSERT_TRUE(server_->put_object("v1", "pods", pod("a", "node-1")));
  const std::string rv = call("GET", "/api/v1/pods").second["metadata"]["resourceVersion"];
  std::thread expirer([&] {
    (void)testing::wait_until([&] { return server_->request_count(Verb::kWatch) >= 1; });
    server_->expire_watches();
  });
  auto open = watch("/api/v1/pods?watch=true&timeoutSeconds=5&resourceVersion=" + rv);
  expirer.join();
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open.back()["type"], "ERROR");
  EXPECT_EQ(open.back()["object"]["code"], 410);
  auto late = watch("/api/v1/pods?watch=true&timeoutSeconds=5&resourceVersion=" + rv);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0]["object"]["reason"], "Expired");
  // A fresh list gives a resourceVersion to watch from again.
  const std::string fresh = call("GET", "/api/v1/pods").second["metadata"]["resourceVersion"];
  EXPECT_TRUE(watch("/api/v1/pods?watch=true&timeoutSeconds=1&resourceVersion=" + fresh).empty());
}

TEST_F(ApiServerTest, InjectsFaultsAndLatency) {
  server_->faults().fail_next(Verb::kCreate, 429, 1);
  server_->faults().fail_next(Verb::kCreate, 500, 1);
  auto r = client_->Post(kSp, profile("f").dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_EQ(call("POST", kSp, profile("f")).first, 500);
  EXPECT_EQ(call("POST", kSp, profile("f")).first, 201);

  server_->faults().set_error_rate(Verb::kGet, 409, 1.0);
  EXPECT_EQ(call("GET", std::string(kSp) + "/f").first, 409);
  server_->faults().set_error_rate(Verb::kGet, 409, 0.5);
  int failed = 0;
  for (int i = 0; i < 40; ++i) failed += call("GET", std::string(kSp) + "/f").first == 409;
  EXPECT_GT(failed, 5);
  EXPECT_LT(failed, 35);
  server_->faults().clear();

  server_->faults().set_latency(std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(call("GET", std::string(kSp) + "/f").first, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
  EXPECT_GE(server_->request_count(Verb::kCreate), 3);
}

TEST_F(ApiServerTest, ReviewsBoundServiceAccountTokens) {
  auto stored = server_->put_object("v1", "pods", pod("agent-x", "node-1"));
  ASSERT_TRUE(stored);
  const std::string uid = (*stored)["metadata"]["uid"];
  const std::string token = server_->issue_service_account_token(
      "default", "tailor-agent", "agent-x", uid, "node-1", "tailor-aggregator");
  const auto review = [&](const json& audiences) {
    json body = {{"apiVersion", "authentication.k8s.io/v1"},
                 {"kind", "TokenReview"},
                 {"spec", {{"token", token}, {"audiences", audiences}}}};
    return call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body);
  };
  auto [code, ok] = review({"tailor-aggregator"});
  ASSERT_EQ(code, 201);
  const json& status = ok["status"];
  EXPECT_TRUE(status["authenticated"]);
  EXPECT_EQ(status["user"]["username"], "system:serviceaccount:default:tailor-agent");
  EXPECT_EQ(status["user"]["extra"]["authentication.kubernetes.io/node-name"][0], "node-1");
  EXPECT_EQ(status["user"]["extra"]["authentication.kubernetes.io/pod-uid"][0], uid);
  EXPECT_EQ(status["audiences"][0], "tailor-aggregator");

  EXPECT_FALSE(review({"someone-else"}).second["status"]["authenticated"]);
  server_->delete_object("v1", "pods", "default", "agent-x");
  auto [c2, gone] = review({"tailor-aggregator"});
  EXPECT_FALSE(gone["status"]["authenticated"]);
  EXPECT_NE(gone["status"]["error"].get<std::string>().find("not found"), std::string::npos);

  const std::string expired = server_->issue_service_account_token(
      "default", "sa", "", "", "node-1", "x", std::chrono::seconds(-10));
  json body = {{"spec", {{"token", expired}, {"audiences", {"x"}}}}};
  EXPECT_FALSE(call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body)
                   .second["status"]["authenticated"]);
}

TEST_F(ApiServerTest, IssuesTokensBoundToAPodThroughTokenRequest) {
  auto stored = server_->put_object("v1", "pods", pod("agent-y", "node-2"));
  ASSERT_TRUE(stored);
  const std::string uid = (*stored)["metadata"]["uid"];
  const std::string path = "/api/v1/namespaces/default/serviceaccounts/tailor-agent/token";
  const auto request = [&](const json& ref) {
    return call("POST", path,
                {{"apiVersion", "authentication.k8s.io/v1"},
                 {"kind", "TokenRequest"},
                 {"spec", {{"audiences", {"tailor-aggregator"}}, {"boundObjectRef", ref}}}});
  };
  auto [code, issued] = request({{"kind", "Pod"}, {"apiVersion", "v1"}, {"name", "agent-y"}});
  ASSERT_EQ(code, 201) << issued.dump();
  EXPECT_EQ(issued["spec"]["expirationSeconds"], 3600);
  EXPECT_FALSE(issued["status"]["expirationTimestamp"].get<std::string>().empty());
  const std::string token = issued["status"]["token"];

  // The token is what the kubelet would project: it passes a review for its audience, naming
  // the pod and its node.
  json review = {{"spec", {{"token", token}, {"audiences", {"tailor-aggregator"}}}}};
  const json status =
      call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", review).second["status"];
  EXPECT_TRUE(status["authenticated"]) << status.dump();
  EXPECT_EQ(status["user"]["username"], "system:serviceaccount:default:tailor-agent");
  EXPECT_EQ(status["user"]["extra"]["authentication.kubernetes.io/pod-uid"][0], uid);
  EXPECT_EQ(status["user"]["extra"]["authentication.kubernetes.io/node-name"][0], "node-2");

  EXPECT_EQ(request({{"kind", "Pod"}, {"name", "agent-y"}, {"uid", "other"}}).first, 409);
  EXPECT_EQ(request({{"kind", "Pod"}, {"name", "no-such-pod"}}).first, 404);
  EXPECT_EQ(request(json::object()).first, 400);
  EXPECT_EQ(call("POST", path, json("not json")).first, 400);
  EXPECT_EQ(call("POST", path,
                 {{"spec",
                   {{"expirationSeconds", 60},
                    {"boundObjectRef", {{"kind", "Pod"}, {"name", "agent-y"}}}}}})
                .first,
            400);
  // Only a caller the API server authenticates may ask.
  httplib::Client anonymous("127.0.0.1", server_->port());
  EXPECT_EQ(anonymous.Post(path.c_str(), "{}", "application/json")->status, 401);
}

}  // namespace
}  // namespace tailor::testbed
