// The aggregator's web view in a real browser: a real aggregator fed real batches over HTTPS
// (tokens reviewed by the test API server), its /ui page opened in Debian's headless Chromium
// (tests/tools/browser/check_ui.mjs) and each row's report page; and the view's paths on the
// API endpoint give nothing away.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include "aggregator/aggregator.h"
#include "aggregator/options.h"
#include "common/util/clock.h"
#include "tests/aggregator/aggregator_bed.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/process.h"
#include "tests/testbed/tls_material.h"

namespace tailor::aggregator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class WebViewTest : public AggregatorBed {
 protected:
  void SetUp() override {
    AggregatorBed::SetUp();
    if (HasFatalFailure()) return;
    auto tls = testbed::generate_tls_material();
    ASSERT_TRUE(tls) << tls.error().message;
    ASSERT_TRUE(testbed::write_private_file(dir_.file("ca.pem"), tls->ca_cert_pem));
    ASSERT_TRUE(testbed::write_private_file(dir_.file("tls.pem"), tls->cert_pem));
    ASSERT_TRUE(testbed::write_private_file(dir_.file("tls.key"), tls->key_pem));
    AggregatorOptions options;
    options.endpoint = {"127.0.0.1", 0, dir_.file("tls.pem"), dir_.file("tls.key")};
    options.writer.record_only = true;
    auto aggregator = Aggregator::create(new_client(), options);
    ASSERT_TRUE(aggregator) << aggregator.error().message;
    aggregator_ = std::move(*aggregator);
    ASSERT_TRUE(aggregator_->start());
    ASSERT_GT(aggregator_->ui_port(), 0);
  }

  std::unique_ptr<httplib::SSLClient> api() {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", aggregator_->port());
    client->set_ca_cert_path(dir_.file("ca.pem").c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }

  // One batch from `node`'s agent, as it sends them; the i-th syscall was first seen
  // `minutes[i]` minutes ago (none: all at the start of the test).
  void send(const std::string& node, const common::WorkloadKey& key,
            const std::vector<std::string>& names, const std::vector<int>& minutes = {}) {
    common::Delta delta = delta_from(node, "agent-" + node, key, names);
    for (std::size_t i = 0; i < minutes.size(); ++i) {
      delta.workloads[0].syscalls[i].first_seen_unix_ms = started_ - minutes[i] * 60'000;
    }
    httplib::Headers headers = {{"Authorization", "Bearer " + agent_token(node)}};
    auto answer =
        api()->Post("/api/v1/deltas", headers, common::encode_delta(delta), "application/json");
    ASSERT_TRUE(answer) << httplib::to_string(answer.error());
    ASSERT_EQ(answer->status, 200) << answer->body;
  }

  common::testing::TempDir dir_;
  std::unique_ptr<Aggregator> aggregator_;
  const int64_t started_ = common::unix_now_ms();
};

const common::WorkloadKey kWeb = {"shop", "Deployment", "web", "nginx"};
const common::WorkloadKey kDb = {"shop", "StatefulSet", "db", "postgres"};
const common::WorkloadKey kApi = {"billing", "Deployment", "api", "app"};

TEST_F(WebViewTest, ListsEveryWorkloadContainerAndOpensItsReport) {
  for (const char* needed : {TAILOR_BROWSER_DIR "/node_modules/playwright-core/package.json",
                             "/usr/bin/chromium", "/usr/bin/node"}) {
    ASSERT_TRUE(fs::exists(needed))
        << "missing " << needed << " (scripts/install-deps.sh and the browser_tools target)";
  }
  // Convergence as it looks: most syscalls at start-up, a few later.
  send("node-a", kWeb, {"read", "write", "close"}, {90, 90, 60});
  send("node-b", kWeb, {"read", "mmap"}, {80, 20});
  send("node-a", kDb, {"read", "write", "futex", "nanosleep", "exit_group"},
       {240, 240, 239, 200, 5});
  send("node-b", kApi, {"read"}, {30});

  fs::create_directories(TAILOR_SCREENSHOT_DIR);
  const json expected = {
      {"rows",
       {{"billing", "Deployment/api", "app", "1", "1", "1"},
        {"shop", "Deployment/web", "nginx", "4", "2", "2"},
        {"shop", "StatefulSet/db", "postgres", "5", "1", "1"}}},
      {"namespace", {{"shop", 2}, {"billing", 1}}},
      {"kind", {{"StatefulSet", 1}, {"Deployment", 2}}},
      {"text", {{"postgres", 1}, {"Deployment/", 2}, {"nothing-like-this", 0}}},
      {"open",
       {{"workload", "Deployment/web"},
        {"syscalls", 4},
        {"screenshot", std::string(TAILOR_SCREENSHOT_DIR) + "/ui-workload.png"}}}};
  const std::string expect_path = dir_.file("ui.expect.json");
  std::ofstream(expect_path) << expected.dump();
  const auto browser = tailor::testing::run_process(
      {"/usr/bin/node", TAILOR_BROWSER_DIR "/check_ui.mjs",
       "http://127.0.0.1:" + std::to_string(aggregator_->ui_port()) + "/ui",
       std::string(TAILOR_SCREENSHOT_DIR) + "/ui.png", expect_path});
  EXPECT_EQ(browser.exit_status, 0) << browser.out << browser.err;
  const auto result = json::parse(browser.out, nullptr, false);
  ASSERT_FALSE(result.is_discarded()) << browser.out << browser.err;
  EXPECT_EQ(result["failures"], json::array()) << result.dump();
}

TEST_F(WebViewTest, AWorkloadItDoesNotHoldIsNotFound) {
  httplib::Client ui("127.0.0.1", aggregator_->ui_port());
  const auto answer = ui.Get("/ui/workloads/shop/Deployment/web/nginx");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 404);
  EXPECT_NE(answer->body.find("holds no workload container shop/Deployment/web:nginx"),
            std::string::npos)
      << answer->body;
}

// The API endpoint is the one the network reaches, and its read API needs no token: the view's
// paths there answer 403 and say where the view is, without any data.
TEST_F(WebViewTest, TheApiEndpointServesNoneOfIt) {
  send("node-a", kWeb, {"read", "write"});
  for (const char* path : {"/ui", "/ui/", "/ui/workloads/shop/Deployment/web/nginx"}) {
    const auto answer = api()->Get(path);
    ASSERT_TRUE(answer) << path << ": " << httplib::to_string(answer.error());
    EXPECT_EQ(answer->status, 403) << path;
    EXPECT_NE(answer->body.find("127.0.0.1:" + std::to_string(aggregator_->ui_port()) + " only"),
              std::string::npos)
        << answer->body;
    for (const char* data : {"shop", "nginx", "read", "node-a"}) {
      EXPECT_EQ(answer->body.find(data), std::string::npos) << path << " shows " << data;
    }
  }
}

TEST_F(WebViewTest, ListensOnLoopbackOnly) {
  CommandLine line;
  line.tls_cert = "tls.pem";
  line.tls_key = "tls.key";
  for (const char* listen : {"0.0.0.0:8081", ":8081", "10.0.0.1:8081"}) {
    line.ui_listen = listen;
    const auto options = aggregator_options(line);
    ASSERT_FALSE(options.ok()) << listen;
    EXPECT_NE(options.error().message.find("loopback only"), std::string::npos)
        << options.error().message;
  }
  line.ui_listen = "127.0.0.1:9000";
  auto options = aggregator_options(line);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_TRUE(options->serve_ui);
  EXPECT_EQ(options->ui_endpoint.address, "127.0.0.1");
  EXPECT_EQ(options->ui_endpoint.port, 9000);
  line.ui_listen = "off";
  options = aggregator_options(line);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_FALSE(options->serve_ui);
}

}  // namespace
}  // namespace tailor::aggregator
