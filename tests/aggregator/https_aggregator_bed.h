#pragma once

// The real aggregator serving HTTPS on the test bed, with agents' tokens and TLS material: what
// the ingest and enforcement tests post batches to.
#include <gtest/gtest.h>
#include <httplib.h>

#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>

#include "aggregator/aggregator.h"
#include "aggregator/writer/profile_names.h"
#include "tests/aggregator/aggregator_bed.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/testbed/kubectl.h"
#include "tests/testbed/tls_material.h"

namespace tailor::aggregator {

class HttpsAggregatorBed : public AggregatorBed {
 protected:
  void SetUp() override {
    AggregatorBed::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    auto tls = testbed::generate_tls_material();
    ASSERT_TRUE(tls) << tls.error().message;
    ca_file_ = dir_.file("ca.pem");
    ASSERT_TRUE(testbed::write_private_file(ca_file_, tls->ca_cert_pem));
    ASSERT_TRUE(testbed::write_private_file(dir_.file("tls.pem"), tls->cert_pem));
    ASSERT_TRUE(testbed::write_private_file(dir_.file("tls.key"), tls->key_pem));
    ASSERT_TRUE(testbed::write_private_file(dir_.file("client.pem"), tls->client_cert_pem));
    ASSERT_TRUE(testbed::write_private_file(dir_.file("client.key"), tls->client_key_pem));
  }

  void start(AggregatorOptions options = {}) {
    options.endpoint = {"127.0.0.1", 0, dir_.file("tls.pem"), dir_.file("tls.key"),
                        options.endpoint.client_ca_file};
    options.writer.record_only = !write_profiles_;
    auto aggregator = Aggregator::create(new_client(), options);
    ASSERT_TRUE(aggregator) << aggregator.error().message;
    aggregator_ = std::move(*aggregator);
    ASSERT_TRUE(aggregator_->start());
  }

  std::unique_ptr<httplib::SSLClient> client() {
    auto c =
        with_client_cert_
            ? std::make_unique<httplib::SSLClient>("127.0.0.1", aggregator_->port(),
                                                   dir_.file("client.pem"), dir_.file("client.key"))
            : std::make_unique<httplib::SSLClient>("127.0.0.1", aggregator_->port());
    c->set_ca_cert_path(ca_file_.c_str());
    c->enable_server_certificate_verification(true);
    return c;
  }

  // The status and the body's error of one POST.
  std::pair<int, std::string> post(const std::string& token, const std::string& body) {
    auto c = client();
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto answer = c->Post("/api/v1/deltas", headers, body, "application/json");
    if (!answer) return {0, httplib::to_string(answer.error())};
    std::lock_guard lock(mu_);
    last_headers_ = answer->headers;
    const auto parsed = nlohmann::json::parse(answer->body, nullptr, false);
    return {answer->status, parsed.is_object() ? parsed.value("error", "") : answer->body};
  }

  std::string get(const std::string& path) {
    auto c = client();
    auto answer = c->Get(path);
    return answer && answer->status == 200 ? answer->body : "";
  }

  common::testing::TempDir dir_;
  std::string ca_file_;
  bool with_client_cert_ = false;
  bool write_profiles_ = false;
  std::unique_ptr<Aggregator> aggregator_;
  std::mutex mu_;  // posts may come from several threads
  httplib::Headers last_headers_;
};

// The tailor.dev/state label as `kubectl get seccompprofiles -L tailor.dev/state` shows it.
inline std::string kubectl_state(testbed::TestApiServer& server, const common::WorkloadKey& key) {
  auto listed = testbed::run_kubectl(server, {"get", "seccompprofiles", "-L", "tailor.dev/state",
                                              "--no-headers", profile_name(key)});
  if (!listed || listed->exit_status != 0) return "";
  std::istringstream words(listed->out);
  std::vector<std::string> columns{std::istream_iterator<std::string>(words), {}};
  return columns.empty() ? "" : columns.back();
}

inline common::Delta batch(const common::WorkloadKey& key, uint64_t seq,
                           std::optional<common::DeltaEnforcement> enforcement,
                           std::vector<common::DeltaDenial> denied) {
  common::Delta delta;
  delta.node = "node-a";
  delta.agent = {"agent-1", 1714564800000};
  delta.seq = seq;
  delta.workloads.push_back({.key = key,
                             .pods = {},
                             .syscalls = {},
                             .denied = std::move(denied),
                             .enforcement = std::move(enforcement)});
  return delta;
}

}  // namespace tailor::aggregator
