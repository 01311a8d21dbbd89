#include "agent/report/sender.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <mutex>
#include <vector>

#include "common/metrics/http_endpoint.h"
#include "common/util/file.h"
#include "tests/agent/report/local_https_server.h"

namespace tailor::agent {
namespace {

using common::testing::TempDir;
using ::testing::HasSubstr;
using testing::LocalHttpsServer;
using testing::TlsFiles;

struct Seen {
  std::string authorization;
  std::string body;
  std::string content_type;
  int remote_port = 0;  // the connection's
};

class SenderTest : public ::testing::Test {
 protected:
  // RSA key generation takes most of a second: the suite shares one set of files.
  static void SetUpTestSuite() {
    tls_dir_ = std::make_unique<TempDir>();
    tls_ = std::make_unique<TlsFiles>(TlsFiles::generate(*tls_dir_, "aggregator"));
    other_ca_file_ = TlsFiles::generate(*tls_dir_, "other").ca_file;
  }
  static void TearDownTestSuite() {
    tls_.reset();
    tls_dir_.reset();
  }

  SenderTest() : server_(*tls_) {
    server_.server().Post(
        "/api/v1/deltas", [this](const httplib::Request& request, httplib::Response& response) {
          std::lock_guard lock(mutex_);
          seen_.push_back({request.get_header_value("Authorization"), request.body,
                           request.get_header_value("Content-Type"), request.remote_port});
          const auto next = replies_.empty() ? Reply{200, "{}", ""} : replies_.front();
          if (!replies_.empty()) replies_.erase(replies_.begin());
          response.status = next.status;
          if (!next.retry_after.empty()) response.set_header("Retry-After", next.retry_after);
          response.set_content(next.body, "application/json");
        });
    EXPECT_TRUE(common::write_file_atomically(token_file(), "token-1\n").ok());
  }

  struct Reply {
    int status;
    std::string body;
    std::string retry_after;
  };

  std::string token_file() const { return dir_.file("token"); }

  SenderOptions options() const {
    SenderOptions options;
    options.aggregator = "127.0.0.1:" + std::to_string(server_.port());
    options.ca_file = tls_->ca_file;
    options.token_file = token_file();
    options.connect_timeout = std::chrono::milliseconds(2000);
    options.timeout = std::chrono::milliseconds(2000);
    return options;
  }

  std::unique_ptr<Sender> sender(SenderOptions options) {
    auto created = Sender::create(std::move(options));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? std::move(*created) : nullptr;
  }

  void reply(Reply next) {
    std::lock_guard lock(mutex_);
    replies_.push_back(std::move(next));
  }

  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

  static inline std::unique_ptr<TempDir> tls_dir_;
  static inline std::unique_ptr<TlsFiles> tls_;
  static inline std::string other_ca_file_;
  TempDir dir_;
  // Before the server: its threads run the handler on these until it is stopped, which its
  // destructor does first (TSan saw the handler's writes race their destruction).
  std::mutex mutex_;
  std::vector<Seen> seen_;
  std::vector<Reply> replies_;
  LocalHttpsServer server_;
};

TEST_F(SenderTest, PostsTheBatchWithTheToken) {
  server_.start();
  auto s = sender(options());
  ASSERT_TRUE(s);
  const SendResult result = s->send(R"({"format":"tailor.delta"})");
  EXPECT_EQ(result.delivery, Delivery::acknowledged) << result.reason;
  EXPECT_EQ(result.status, 200);
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_EQ(seen()[0].authorization, "Bearer token-1");
  EXPECT_EQ(seen()[0].body, R"({"format":"tailor.delta"})");
  EXPECT_EQ(seen()[0].content_type, "application/json");
}

TEST_F(SenderTest, AnAcknowledgementTellsWhichAggregatorInstanceGaveIt) {
  server_.start();
  auto s = sender(options());
  ASSERT_TRUE(s);
  reply({200, R"({"accepted":1,"aggregator":"5f0c2a9e1b3d4c77"})", ""});
  reply({200, R"({"accepted":2})", ""});
  reply({200, "not json", ""});
  EXPECT_EQ(s->send("{}").acknowledged_by, "5f0c2a9e1b3d4c77");
  EXPECT_EQ(s->send("{}").acknowledged_by, "") << "an older aggregator names none";
  const SendResult odd = s->send("{}");
  EXPECT_EQ(odd.delivery, Delivery::acknowledged) << "a 2xx is an acknowledgement, body or not";
  EXPECT_EQ(odd.acknowledged_by, "");
}

TEST_F(SenderTest, PresentsItsClientCertificateForMutualTls) {
  common::HttpEndpointOptions endpoint_options;
  endpoint_options.address = "127.0.0.1";
  endpoint_options.tls_cert_file = tls_->cert_file;
  endpoint_options.tls_key_file = tls_->key_file;
  endpoint_options.client_ca_file = tls_->ca_file;
  auto endpoint = common::HttpEndpoint::create(endpoint_options,
                                               std::make_shared<prometheus::Registry>(), nullptr);
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
  (*endpoint)->post("/api/v1/deltas",
                    [](const common::HttpRequest& request, common::HttpResponse& response) {
                      response.status = request.verified_client_cert ? 200 : 401;
                    });
  ASSERT_TRUE((*endpoint)->start().ok());
  SenderOptions with_cert = options();
  with_cert.aggregator = "127.0.0.1:" + std::to_string((*endpoint)->port());
  SenderOptions without_cert = with_cert;
  with_cert.client_cert_file = tls_->client_cert_file;
  with_cert.client_key_file = tls_->client_key_file;
  EXPECT_EQ(sender(with_cert)->send("{}").delivery, Delivery::acknowledged);
  EXPECT_EQ(sender(without_cert)->send("{}").status, 401);
}

TEST_F(SenderTest, PicksUpARotatedToken) {
  server_.start();
  auto s = sender(options());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->send("{}").delivery, Delivery::acknowledged);
  ASSERT_TRUE(common::write_file_atomically(token_file(), "token-2").ok());
  EXPECT_EQ(s->send("{}").delivery, Delivery::acknowledged);
  ASSERT_EQ(seen().size(), 2u);
  EXPECT_EQ(seen()[1].authorization, "Bearer token-2");
}

TEST_F(SenderTest, AMissingTokenIsRetryable) {
  server_.start();
  auto s = sender(options());
  ASSERT_TRUE(s);
  std::filesystem::remove(token_file());
  const SendResult result = s->send("{}");
  EXPECT_EQ(result.delivery, Delivery::retryable);
  EXPECT_THAT(result.reason, HasSubstr("token"));
  EXPECT_TRUE(seen().empty());
}

TEST_F(SenderTest, RefusesAServerOutsideThePinnedCa) {
  server_.start();
  SenderOptions other = options();
  other.ca_file = other_ca_file_;
  auto s = sender(other);
  ASSERT_TRUE(s);
  const SendResult result = s->send("{}");
  EXPECT_EQ(result.delivery, Delivery::retryable);
  EXPECT_THAT(result.reason, HasSubstr("does not verify against"));
  EXPECT_TRUE(seen().empty()) << "the request must not reach an unverified server";
}

TEST_F(SenderTest, RetriesOnUnavailableHonouringRetryAfter) {
  server_.start();
  reply({503, R"({"error": "merging"})", "7"});
  auto s = sender(options());
  ASSERT_TRUE(s);
  SendResult result = s->send("{}");
  EXPECT_EQ(result.delivery, Delivery::retryable);
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(result.reason, "HTTP 503: merging");
  result = s->send("{}");
  EXPECT_EQ(result.delivery, Delivery::acknowledged);
}

TEST_F(SenderTest, ClassifiesStatuses) {
  server_.start();
  auto s = sender(options());
  ASSERT_TRUE(s);
  const std::vector<std::pair<int, Delivery>> cases = {
      {201, Delivery::acknowledged}, {429, Delivery::retryable}, {500, Delivery::retryable},
      {408, Delivery::retryable},    {401, Delivery::retryable}, {403, Delivery::rejected},
      {413, Delivery::rejected},     {404, Delivery::rejected},
  };
  for (const auto& [status, delivery] : cases) {
    reply({status, "", ""});
    EXPECT_EQ(s->send("{}").delivery, delivery) << status;
  }
}

TEST_F(SenderTest, RejectedBatchesCarryTheServersReason) {
  server_.start();
  reply({400, R"({"error": "invalid delta: workloads[0].key.name: must not be empty"})", ""});
  auto s = sender(options());
  ASSERT_TRUE(s);
  const SendResult result = s->send("{}");
  EXPECT_EQ(result.delivery, Delivery::rejected);
  EXPECT_EQ(result.reason, "HTTP 400: invalid delta: workloads[0].key.name: must not be empty");
}

TEST_F(SenderTest, ServerDownThenUp) {
  server_.start();
  const int port = server_.port();
  server_.stop();
  auto s = sender(options());
  ASSERT_TRUE(s);
  const SendResult down = s->send("{}");
  EXPECT_EQ(down.delivery, Delivery::retryable);
  EXPECT_EQ(down.status, 0);
  EXPECT_THAT(down.reason, HasSubstr("no answer from the aggregator"));

  server_.start(port);
  EXPECT_EQ(s->send("{}").delivery, Delivery::acknowledged);
}

TEST_F(SenderTest, KeepsItsConnectionAcrossSends) {
  server_.start();
  auto s = sender(options());
  ASSERT_TRUE(s);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s->send("{}").delivery, Delivery::acknowledged);
  const auto sends = seen();
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[1].remote_port, sends[0].remote_port) << "one connection, one handshake";
  EXPECT_EQ(sends[2].remote_port, sends[0].remote_port);
}

TEST_F(SenderTest, ReconnectsWhenTheAggregatorRestarts) {
  server_.start();
  const int port = server_.port();
  auto s = sender(options());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->send("{}").delivery, Delivery::acknowledged);
  server_.stop();
  server_.start(port);
  const SendResult after = s->send("{}");
  EXPECT_EQ(after.delivery, Delivery::acknowledged) << after.reason;
  const auto sends = seen();
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_NE(sends[1].remote_port, sends[0].remote_port);
}

TEST_F(SenderTest, OpensANewConnectionWhenItsCaFileIsRotated) {
  server_.start();
  SenderOptions rotating = options();
  rotating.ca_file = dir_.file("ca.pem");
  const auto ca = common::read_file(tls_->ca_file);
  ASSERT_TRUE(ca.ok());
  ASSERT_TRUE(common::write_file_atomically(rotating.ca_file, *ca).ok());
  auto s = sender(rotating);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->send("{}").delivery, Delivery::acknowledged);
  // The rotated bundle trusts another CA only: the kept connection must not hide that.
  const auto other = common::read_file(other_ca_file_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(common::write_file_atomically(rotating.ca_file, *other).ok());
  const SendResult refused = s->send("{}");
  EXPECT_EQ(refused.delivery, Delivery::retryable);
  EXPECT_THAT(refused.reason, HasSubstr("does not verify"));
  ASSERT_TRUE(common::write_file_atomically(rotating.ca_file, *ca).ok());
  EXPECT_EQ(s->send("{}").delivery, Delivery::acknowledged);
}

TEST_F(SenderTest, ReportsMisconfigurationAtCreation) {
  SenderOptions good = options();
  good.aggregator = "127.0.0.1:8443";
  ASSERT_TRUE(Sender::create(good).ok());
  SenderOptions bad = options();
  bad.aggregator = "http://aggregator:8443";
  EXPECT_THAT(Sender::create(bad).error().message, HasSubstr("only https:// is supported"));
  bad = options();
  bad.aggregator = "aggregator:http";
  EXPECT_THAT(Sender::create(bad).error().message, HasSubstr("invalid port"));
  bad = good;
  bad.ca_file = dir_.file("missing.pem");
  EXPECT_THAT(Sender::create(bad).error().message, HasSubstr("CA file"));
  bad = good;
  bad.ca_file = token_file();
  EXPECT_THAT(Sender::create(bad).error().message, HasSubstr("is not PEM"));
  bad = good;
  bad.client_cert_file = tls_->cert_file;
  EXPECT_THAT(Sender::create(bad).error().message, HasSubstr("both a certificate and a key"));
  bad = options();
  bad.aggregator = "https://aggregator.tailor.svc/";
  EXPECT_TRUE(Sender::create(bad).ok());
}

}  // namespace
}  // namespace tailor::agent
