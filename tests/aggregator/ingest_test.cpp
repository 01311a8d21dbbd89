// POST /api/v1/deltas over real HTTPS: tokens reviewed by the test API server, every rejection
// answered with its status and reason and counted, and nothing rejected reaches the store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

#include "aggregator/aggregator.h"
#include "aggregator/writer/profile_object.h"
#include "common/k8s/profile_names.h"
#include "common/util/file.h"
#include "tests/aggregator/https_aggregator_bed.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"
#include "tests/testbed/kubectl.h"
#include "tests/testbed/tls_material.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;

const common::WorkloadKey kWeb = {"shop", "Deployment", "web", "nginx"};

class IngestTest : public HttpsAggregatorBed {};

TEST_F(IngestTest, AcceptsTheNodesOwnBatchAndServesTheMergedState) {
  start();
  const std::string token = agent_token("node-a");
  const auto delta = delta_from("node-a", "agent-1", kWeb, {"read", "write"});
  EXPECT_EQ(post(token, common::encode_delta(delta)).first, 200);
  EXPECT_EQ(post(token, common::encode_delta(delta)).first, 200) << "a replay is harmless";
  EXPECT_EQ(server_->request_count(testbed::Verb::kCreate), 1) << "one TokenReview, then the cache";

  const json profiles = json::parse(get("/api/v1/profiles"));
  ASSERT_EQ(profiles["workloads"].size(), 1u);
  const json& web = profiles["workloads"][0];
  EXPECT_EQ(web["key"]["name"], "web");
  EXPECT_EQ(web["syscalls"].size(), 2u);
  EXPECT_EQ(web["nodes"], json({"node-a"}));
  EXPECT_EQ(web["version"], 1);
  EXPECT_NE(get("/metrics").find("tailor_aggregator_reports_total{result=\"accepted\"} 2"),
            std::string::npos);
  // The store's gauges are refreshed about once a second.
  std::string metrics;
  (void)testing::wait_until(
      [&] {
        metrics = get("/metrics");
        return metrics.find("tailor_aggregator_workloads_tracked 1") != std::string::npos;
      },
      std::chrono::seconds(3), std::chrono::milliseconds(100));
  EXPECT_NE(metrics.find("tailor_aggregator_workloads_tracked 1"), std::string::npos) << metrics;
  EXPECT_NE(
      metrics.find(
          "tailor_aggregator_workload_syscalls{workload_container=\"nginx\","
          "workload_kind=\"Deployment\",workload_name=\"web\",workload_namespace=\"shop\"} 2"),
      std::string::npos)
      << metrics;
}

// The agent sends its whole state again when another instance acknowledges: the answer must
// name the instance, the same one for as long as it runs and another after a restart.
TEST_F(IngestTest, AnAcknowledgementNamesTheAggregatorInstance) {
  const std::string token = agent_token("node-a");
  const auto acknowledged_by = [&] {
    auto answer = client()->Post(
        "/api/v1/deltas", {{"Authorization", "Bearer " + token}},
        common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"})), "application/json");
    EXPECT_TRUE(answer && answer->status == 200);
    const auto body = json::parse(answer ? answer->body : "", nullptr, false);
    EXPECT_EQ(body.value("accepted", 0), 1) << body;
    return body.value("aggregator", "");
  };
  start();
  const std::string first = acknowledged_by();
  EXPECT_THAT(first, ::testing::MatchesRegex("[0-9a-f]{16}"));
  EXPECT_EQ(acknowledged_by(), first);
  start();
  EXPECT_NE(acknowledged_by(), first) << "a restarted aggregator is another instance";
}

// An idle agent's heartbeat: acknowledged, the node counted as connected, nothing merged.
TEST_F(IngestTest, AnEmptyBatchIsAcknowledgedAndCountsItsNodeAsConnected) {
  start();
  common::Delta heartbeat;
  heartbeat.node = "node-a";
  heartbeat.agent = {"agent-1", 1714564800000};
  heartbeat.seq = 7;
  EXPECT_EQ(post(agent_token("node-a"), common::encode_delta(heartbeat)).first, 200);
  EXPECT_EQ(json::parse(get("/api/v1/profiles"))["workloads"].size(), 0u);
  std::string metrics;
  EXPECT_TRUE(testing::wait_until(
      [&] {
        metrics = get("/metrics");
        return metrics.find("tailor_aggregator_agents_connected 1") != std::string::npos;
      },
      std::chrono::seconds(3), std::chrono::milliseconds(100)))
      << metrics;
}

TEST_F(IngestTest, RefusesBadCredentialsWithoutMerging) {
  start();
  const std::string body = common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"}));
  EXPECT_EQ(post("", body).first, 401);
  EXPECT_EQ(post("not-a-token", body).first, 401);
  EXPECT_EQ(post(agent_token("node-a", "some-other-audience"), body).first, 401);
  EXPECT_EQ(
      post(agent_token("node-a", "tailor-aggregator", "tailor-agent", std::chrono::seconds(-60)),
           body)
          .first,
      401)
      << "expired";
  const auto wrong_account = post(agent_token("node-a", "tailor-aggregator", "default"), body);
  EXPECT_EQ(wrong_account.first, 403);
  EXPECT_NE(wrong_account.second.find("system:serviceaccount:tailor:default"), std::string::npos);

  const auto other_node = post(agent_token("node-b"), body);
  EXPECT_EQ(other_node.first, 403) << "node B's token reporting for node A";
  EXPECT_NE(other_node.second.find("node-b"), std::string::npos) << other_node.second;

  EXPECT_EQ(aggregator_->store().size(), 0u);
  const std::string metrics = get("/metrics");
  // A wrong audience is refused by the TokenReview itself, as an invalid token.
  for (const char* reason : {"no_token", "invalid_token", "wrong_service_account", "wrong_node"}) {
    EXPECT_NE(metrics.find(std::string("result=\"") + reason + "\""), std::string::npos) << reason;
  }
}

TEST_F(IngestTest, MutualTlsRefusesBatchesWithoutAClientCertificate) {
  AggregatorOptions options;
  options.endpoint.client_ca_file = ca_file_;
  options.ingest.require_client_cert = true;
  start(options);
  const std::string token = agent_token("node-a");
  const std::string body = common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"}));
  const auto anonymous = post(token, body);
  EXPECT_EQ(anonymous.first, 401);
  EXPECT_NE(anonymous.second.find("--client-cert"), std::string::npos) << anonymous.second;
  EXPECT_EQ(aggregator_->store().size(), 0u);
  EXPECT_EQ(server_->request_count(testbed::Verb::kCreate), 0) << "refused before any review";
  EXPECT_NE(get("/metrics").find("result=\"no_client_cert\"} 1"), std::string::npos)
      << "scrapers need no certificate";

  with_client_cert_ = true;
  EXPECT_EQ(post(token, body).first, 200);
  EXPECT_EQ(post("", body).first, 401) << "the certificate does not replace the token";
  EXPECT_EQ(aggregator_->store().size(), 1u);
}

TEST_F(IngestTest, RefusesOversizedMalformedAndAbsurdBatchesAndStaysHealthy) {
  AggregatorOptions options;
  options.ingest.max_body_bytes = 64 << 10;
  start(options);
  const std::string token = agent_token("node-a");
  const std::string body = common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"}));

  EXPECT_EQ(post(token, std::string(128 << 10, ' ')).first, 413);
  EXPECT_EQ(post(token, body.substr(0, body.size() / 2)).first, 400) << "truncated";
  EXPECT_EQ(
      post(token,
           "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")
          .first,
      400);
  json absurd = json::parse(body);
  absurd["workloads"][0]["syscalls"][0]["nr"] = 4000000;
  const auto refused = post(token, absurd.dump());
  EXPECT_EQ(refused.first, 400);
  EXPECT_NE(refused.second.find("nr"), std::string::npos) << refused.second;
  json newer = json::parse(body);
  newer["version"] = 99;
  const auto too_new = post(token, newer.dump());
  EXPECT_EQ(too_new.first, 400);
  EXPECT_NE(too_new.second.find("newer"), std::string::npos) << too_new.second;

  EXPECT_EQ(aggregator_->store().size(), 0u);
  EXPECT_EQ(get("/healthz"), "ok\n");
  EXPECT_EQ(post(token, body).first, 200) << "still merging after the storm";
  const std::string metrics = get("/metrics");
  EXPECT_NE(metrics.find("result=\"too_large\""), std::string::npos);
  EXPECT_NE(metrics.find("result=\"malformed\"} 4"), std::string::npos) << metrics;
}

// The peak resident memory of this process since the last reset_peak_memory().
size_t peak_memory_bytes() {
  const auto status = common::read_file("/proc/self/status");
  const auto at = status ? status->find("VmHWM:") : std::string::npos;
  return at == std::string::npos ? 0 : std::stoull(status->substr(at + 6)) * 1024;
}
void reset_peak_memory() { std::ofstream("/proc/self/clear_refs") << "5"; }
// How much more resident memory the same work takes in this build. Under TSan the resident set
// holds its shadow and per-thread state too: this test's two 1 MiB chunks grew the peak by
// 84-90 MB (docs/testing.md, Sanitizers), while the 96 MiB body read whole, with its shadow,
// would still pass four times the bound. ASan's stays within the plain bound.
#if defined(__SANITIZE_THREAD__)
constexpr size_t kResidentFactor = 4;
#else
constexpr size_t kResidentFactor = 1;
#endif

// A chunked body has no Content-Length for httplib to check: the limit must hold while reading,
// and a body from someone without a token must not be read at all.
TEST_F(IngestTest, AChunkedBodyIsLimitedWhileReadAndNotReadBeforeAuthentication) {
  AggregatorOptions options;
  options.ingest.max_body_bytes = 64 << 10;
  start(options);
  const std::string token = agent_token("node-a");
  constexpr size_t kSent = 96 << 20;
  const std::string chunk(1 << 20, '[');
  auto chunked_post = [&](const std::string& bearer) {
    auto c = client();
    httplib::Headers headers;
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    size_t sent = 0;
    auto answer = c->Post(
        "/api/v1/deltas", headers,
        [&](size_t, httplib::DataSink& sink) {
          if (sent >= kSent) {
            sink.done();
            return true;
          }
          sent += chunk.size();
          return sink.write(chunk.data(), chunk.size());
        },
        "application/json");
    return std::pair{answer ? answer->status : 0, sent};
  };
  reset_peak_memory();
  const size_t before = peak_memory_bytes();
  // The answer may come back, or the connection may end under the sender first: the metrics
  // below say which refusal it was either way.
  const auto [anonymous, anonymous_sent] = chunked_post("");
  EXPECT_TRUE(anonymous == 401 || anonymous == 0) << anonymous;
  const auto [authenticated, authenticated_sent] = chunked_post(token);
  EXPECT_TRUE(authenticated == 413 || authenticated == 0) << authenticated;
  EXPECT_LT(peak_memory_bytes() - before, kResidentFactor * (size_t{32} << 20))
      << "the aggregator took in a body it should have refused (sent " << anonymous_sent << " and "
      << authenticated_sent << " bytes)";
  const std::string body = common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"}));
  EXPECT_EQ(post(token, body).first, 200) << "still merging";
  const std::string metrics = get("/metrics");
  EXPECT_NE(metrics.find("result=\"too_large\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("result=\"no_token\"} 1"), std::string::npos) << metrics;
}

// A body of another type gets 415 with the reason, not a size complaint.
TEST_F(IngestTest, ABodyThatIsNotJsonIsRefusedAsUnsupportedMediaType) {
  start();
  const std::string token = agent_token("node-a");
  auto c = client();
  auto answer = c->Post("/api/v1/deltas", {{"Authorization", "Bearer " + token}},
                        std::string(20 << 10, 'a'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 415);
  EXPECT_NE(answer->body.find("Content-Type: application/json"), std::string::npos) << answer->body;
  answer = c->Post("/api/v1/deltas", {{"Authorization", "Bearer " + token}},
                   common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"})),
                   "application/json; charset=utf-8");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_NE(get("/metrics").find("result=\"unsupported_media_type\"} 1"), std::string::npos);
}

TEST_F(IngestTest, AConcurrentStormOfBadRequestsNeitherCrashesNorStalls) {
  AggregatorOptions options;
  options.ingest.rate = {.per_second = 1000, .burst = 1000};
  start(options);
  const std::string good = agent_token("node-a");
  const std::string stranger = agent_token("node-b");
  const std::string body = common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"}));
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        switch ((t + i) % 4) {
          case 0:
            post("garbage-" + std::to_string(i), body);
            break;
          case 1:
            post(good, body.substr(0, static_cast<std::size_t>(i) * 3));
            break;
          case 2:
            post(stranger, body);
            break;
          default:
            post(good, std::string(static_cast<std::size_t>(i) * 100, '{'));
            break;
        }
      }
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(get("/healthz"), "ok\n");
  EXPECT_EQ(aggregator_->store().size(), 0u);
  EXPECT_EQ(post(good, body).first, 200);
}

TEST_F(IngestTest, AFloodOfUnknownTokensIsHeldBeforeTheApiServer) {
  AggregatorOptions options;
  options.review.reviews = {.per_second = 0.1, .burst = 2, .max_clients = 1};
  start(options);
  const std::string body = common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"}));
  EXPECT_EQ(post("unknown-1", body).first, 401);
  EXPECT_EQ(post("unknown-2", body).first, 401);
  EXPECT_EQ(post("unknown-3", body).first, 429);
  EXPECT_EQ(server_->request_count(testbed::Verb::kCreate), 2) << "two TokenReviews only";
  EXPECT_EQ(post("unknown-1", body).first, 401) << "a known token needs no review";
}

// What an attacker with a valid token can still send: text that is not UTF-8, and one batch
// naming 100,000 workloads. Each is refused with its status and counted, nothing is merged.
TEST_F(IngestTest, RefusesInvalidUtf8AndABatchOfAHundredThousandWorkloads) {
  AggregatorOptions options;
  options.ingest.max_body_bytes = 32 << 20;  // past the decoder's own document limit
  start(options);
  const std::string token = agent_token("node-a");
  json base = json::parse(common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"})));

  std::string not_utf8 = base.dump();
  const auto name_at = not_utf8.find("\"web\"");
  ASSERT_NE(name_at, std::string::npos);
  not_utf8.replace(name_at + 1, 3, "w\xc3\x28");  // a lead byte followed by no continuation
  const auto refused_text = post(token, not_utf8);
  EXPECT_EQ(refused_text.first, 400);
  EXPECT_NE(refused_text.second.find("UTF-8"), std::string::npos) << refused_text.second;

  // Written as text: building 100,000 JSON objects takes the test seconds.
  const std::string workload = base["workloads"][0].dump();
  const auto name = workload.find("\"web\"");
  ASSERT_NE(name, std::string::npos);
  auto batch_of = [&](int count) {
    json head = base;
    head["workloads"] = json::array();
    std::string text = head.dump();  // ends with "workloads":[]}
    std::string list;
    for (int i = 0; i < count; ++i) {
      if (i > 0) list += ',';
      list.append(workload, 0, name + 1).append("w" + std::to_string(i)).append(workload, name + 4);
    }
    return text.insert(text.size() - 2, list);
  };
  const std::string huge = batch_of(100000);
  ASSERT_GT(huge.size(), size_t{8} << 20);
  const auto refused_size = post(token, huge);
  EXPECT_EQ(refused_size.first, 400);
  EXPECT_NE(refused_size.second.find("max_document_bytes"), std::string::npos)
      << refused_size.second;
  // Under the document limit, the count of workloads is the limit that holds.
  const auto refused_count = post(token, batch_of(2000));
  EXPECT_EQ(refused_count.first, 400);
  EXPECT_NE(refused_count.second.find("max_workloads"), std::string::npos) << refused_count.second;

  EXPECT_EQ(aggregator_->store().size(), 0u);
  EXPECT_EQ(post(token, base.dump()).first, 200) << "still merging";
  EXPECT_NE(get("/metrics").find("result=\"malformed\"} 3"), std::string::npos);
}

TEST_F(IngestTest, LimitsEachNodesRateWithRetryAfter) {
  AggregatorOptions options;
  options.ingest.rate = {.per_second = 0.5, .burst = 3};
  start(options);
  const std::string a = agent_token("node-a");
  const std::string body_a = common::encode_delta(delta_from("node-a", "agent-1", kWeb, {"read"}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post(a, body_a).first, 200);
  EXPECT_EQ(post(a, body_a).first, 429);
  const auto retry = last_headers_.find("Retry-After");
  ASSERT_NE(retry, last_headers_.end());
  EXPECT_GE(std::stoi(retry->second), 1);
  // Another node has a bucket of its own.
  const std::string body_b = common::encode_delta(delta_from("node-b", "agent-2", kWeb, {"read"}));
  EXPECT_EQ(post(agent_token("node-b"), body_b).first, 200);
}

TEST_F(IngestTest, EnforcementAndDenialsOverHttpsTurnTheStateLabel) {
  if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
  write_profiles_ = true;
  AggregatorOptions options;
  options.writer.debounce = std::chrono::milliseconds(0);
  options.writer.lifecycle = {.stable_after = std::chrono::milliseconds(0), .stable_min_pods = 1};
  start(options);
  const common::WorkloadKey api = {"shop", "Deployment", "api", "app"};
  const std::string token = agent_token("node-a");
  auto first = delta_from("node-a", "agent-1", kWeb, {"read", "write"});
  first.workloads.push_back(delta_from("node-a", "agent-1", api, {"read"}).workloads[0]);
  ASSERT_EQ(post(token, common::encode_delta(first)).first, 200);
  const auto state_becomes = [&](const common::WorkloadKey& key, const std::string& state) {
    return testing::wait_until([&] { return kubectl_state(*server_, key) == state; },
                               std::chrono::seconds(20));
  };
  EXPECT_TRUE(state_becomes(kWeb, "stable")) << kubectl_state(*server_, kWeb);

  // Pods of web run under web's own profile; api's pods under a profile Tailor did not write.
  const std::string own =
      spo_localhost_profile(profile_location(kWeb, aggregator_->writer().api_version()));
  auto enforcing = batch(kWeb, 2, common::DeltaEnforcement{own, "Localhost", 2, 2}, {});
  enforcing.workloads.push_back(
      batch(api, 2, common::DeltaEnforcement{"operator/shop/hand-written.json", "Localhost", 1, 1},
            {{"x86_64", 165, "mount", common::DenialAction::errno_ret, 4, 1000, "pod-x", "app"}})
          .workloads[0]);
  ASSERT_EQ(post(token, common::encode_delta(enforcing)).first, 200);
  EXPECT_TRUE(state_becomes(kWeb, "enforced")) << kubectl_state(*server_, kWeb);

  // A call web's profile does not allow, denied: denying. api's denial under another filter
  // is recorded but leaves it stable.
  const auto denied =
      batch(kWeb, 3, std::nullopt,
            {{"x86_64", 41, "socket", common::DenialAction::errno_ret, 3, 2000, "pod-a", "nginx"},
             {"x86_64", 165, "mount", common::DenialAction::errno_ret, 1, 2500, "pod-a", "nginx"}});
  ASSERT_EQ(post(token, common::encode_delta(denied)).first, 200);
  EXPECT_TRUE(state_becomes(kWeb, "denying")) << kubectl_state(*server_, kWeb);
  EXPECT_EQ(kubectl_state(*server_, api), "stable");
  // The denied calls on the objects, for `kubectl describe`: the sensitive one is not healed.
  const auto annotation = [&](const common::WorkloadKey& key, const std::string& name) {
    auto got =
        testbed::run_kubectl(*server_, {"get", "seccompprofile", profile_name(key), "-o", "json"});
    if (!got || got->exit_status != 0) return std::string("kubectl failed");
    const json object = json::parse(got->out, nullptr, false);
    if (!object.is_object()) return got->out;
    return object["metadata"].value("annotations", json::object()).value("tailor.dev/" + name, "");
  };

  const std::string web_denied = annotation(kWeb, "denied");
  EXPECT_NE(web_denied.find("socket x86_64 errno x3 (first pod pod-a)"), std::string::npos)
      << web_denied;
  EXPECT_EQ(web_denied.find("socket x86_64 errno x3 (first pod pod-a) [not healed"),
            std::string::npos)
      << web_denied;
  EXPECT_NE(web_denied.find("mount x86_64 errno x1 (first pod pod-a) [not healed: "),
            std::string::npos)
      << web_denied;
  EXPECT_TRUE(testing::wait_until(
      [&] { return annotation(api, "denied-elsewhere").starts_with("mount x86_64 errno x4"); },
      std::chrono::seconds(10)))
      << annotation(api, "denied-elsewhere");
  EXPECT_EQ(annotation(api, "denied"), "");
  EXPECT_EQ(aggregator_->store().get(api)->reports.begin()->second.denied.size(), 1u);
  std::string metrics;
  EXPECT_TRUE(testing::wait_until(
      [&] {
        metrics = get("/metrics");
        return metrics.find(
                   "tailor_aggregator_workload_state{state=\"denying\","
                   "workload_container=\"nginx\",workload_kind=\"Deployment\","
                   "workload_name=\"web\",workload_namespace=\"shop\"} 1") != std::string::npos;
      },
      std::chrono::seconds(5)))
      << metrics;

  // An older batch delivered late does not undo the enforcement it preceded.
  ASSERT_EQ(post(token, common::encode_delta(batch(kWeb, 1, common::DeltaEnforcement{}, {}))).first,
            200);
  EXPECT_EQ(aggregator_->store().get(kWeb)->reports.begin()->second.localhost_profile, own);
}

// ProfileBinding opt-in: a container that turns stable in a namespace labelled
// tailor.dev/bind=true gets one for its pod template's image; other namespaces get none, and a
// ProfileBinding a person wrote under the same name is left as it is.
TEST_F(IngestTest, AContainerTurningStableInAnOptedInNamespaceGetsAProfileBinding) {
  if (!testing::have_program("kubectl")) FAIL() << "kubectl is not installed";
  const auto put = [&](const std::string& api_version, const std::string& resource,
                       const json& object) {
    auto stored = server_->put_object(api_version, resource, object);
    ASSERT_TRUE(stored) << stored.error().message;
  };
  const auto deployment = [](const std::string& ns, const std::string& name,
                             const std::string& container, const std::string& image) {
    return json{
        {"metadata", {{"name", name}, {"namespace", ns}}},
        {"spec",
         {{"template", {{"spec", {{"containers", {{{"name", container}, {"image", image}}}}}}}}}}};
  };
  put("v1", "namespaces",
      {{"metadata", {{"name", "shop"}, {"labels", {{"tailor.dev/bind", "true"}}}}}});
  put("v1", "namespaces", {{"metadata", {{"name", "quiet"}}}});
  put("apps/v1", "deployments", deployment("shop", "web", "nginx", "nginx:1.27"));
  put("apps/v1", "deployments", deployment("shop", "db", "postgres", "postgres:16"));
  put("apps/v1", "deployments", deployment("quiet", "api", "app", "api:3"));
  const common::WorkloadKey db = {"shop", "Deployment", "db", "postgres"};
  const common::WorkloadKey api = {"quiet", "Deployment", "api", "app"};
  const json foreign = {{"apiVersion", "security-profiles-operator.x-k8s.io/v1alpha1"},
                        {"kind", "ProfileBinding"},
                        {"metadata", {{"name", profile_name(db)}, {"namespace", "shop"}}},
                        {"spec",
                         {{"profileRef", {{"kind", "SeccompProfile"}, {"name", "hand-written"}}},
                          {"image", "postgres:16"}}}};
  put("security-profiles-operator.x-k8s.io/v1alpha1", "profilebindings", foreign);

  write_profiles_ = true;
  AggregatorOptions options;
  options.writer.debounce = std::chrono::milliseconds(0);
  options.writer.lifecycle = {.stable_after = std::chrono::milliseconds(0), .stable_min_pods = 1};
  start(options);
  auto delta = delta_from("node-a", "agent-1", kWeb, {"read", "write"});
  for (const auto& key : {db, api})
    delta.workloads.push_back(delta_from("node-a", "agent-1", key, {"read"}).workloads[0]);
  ASSERT_EQ(post(agent_token("node-a"), common::encode_delta(delta)).first, 200);

  // The bed keeps a CRD's versions apart, so kubectl asks for the one written.
  const std::string bindings = "profilebindings.v1alpha1.security-profiles-operator.x-k8s.io";
  json binding;
  EXPECT_TRUE(testing::wait_until(
      [&] {
        auto got = testbed::run_kubectl(
            *server_, {"get", bindings, "-n", "shop", profile_name(kWeb), "-o", "json"});
        if (!got || got->exit_status != 0) return false;
        binding = json::parse(got->out, nullptr, false);
        return binding.is_object();
      },
      std::chrono::seconds(20)))
      << kubectl_state(*server_, kWeb);
  EXPECT_EQ(kubectl_state(*server_, kWeb), "stable");
  EXPECT_EQ(binding["apiVersion"], "security-profiles-operator.x-k8s.io/v1alpha1");
  EXPECT_EQ(binding["spec"],
            json({{"image", "nginx:1.27"},
                  {"profileRef", {{"kind", "SeccompProfile"}, {"name", profile_name(kWeb)}}}}));
  EXPECT_EQ(binding["metadata"]["labels"]["app.kubernetes.io/managed-by"], "tailor-aggregator");
  EXPECT_EQ(binding["metadata"]["labels"]["tailor.dev/workload-name"], "web");

  for (const auto& key : {db, api}) {
    EXPECT_TRUE(testing::wait_until([&] { return kubectl_state(*server_, key) == "stable"; },
                                    std::chrono::seconds(20)))
        << common::describe(key);
  }
  // Stopping waits for the writes in flight, and each binding is made within its stable write.
  aggregator_.reset();
  const auto quiet = testbed::run_kubectl(*server_, {"get", bindings, "-n", "quiet"});
  ASSERT_TRUE(quiet);
  EXPECT_THAT(quiet->err, ::testing::HasSubstr("No resources found in quiet namespace"));
  const auto kept = server_->get_object("security-profiles-operator.x-k8s.io/v1alpha1",
                                        "profilebindings", "shop", profile_name(db));
  ASSERT_TRUE(kept);
  EXPECT_EQ((*kept)["spec"], foreign["spec"]);
  EXPECT_FALSE((*kept)["metadata"].contains("labels"));
}

}  // namespace
}  // namespace tailor::aggregator
