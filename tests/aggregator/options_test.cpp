// Command-line checks and the SeccompProfile version choice.
#include "aggregator/options.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "aggregator/writer/api_version.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;

CommandLine with_tls() {
  CommandLine line;
  line.tls_cert = "tls.crt";
  line.tls_key = "tls.key";
  return line;
}

TEST(OptionsTest, DefaultsListenEverywhereOn8443) {
  auto options = aggregator_options(with_tls());
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->endpoint.address, "0.0.0.0");
  EXPECT_EQ(options->endpoint.port, 8443);
  EXPECT_EQ(options->review.audience, "tailor-aggregator");
  EXPECT_EQ(options->writer.debounce, std::chrono::milliseconds(2000));
  EXPECT_EQ(options->writer.default_action, common::Action::return_errno);
  EXPECT_FALSE(options->ingest.require_client_cert);
  EXPECT_EQ(options->writer.lifecycle.stable_after, std::chrono::hours(24));
  EXPECT_EQ(options->writer.lifecycle.stable_min_pods, 2u);
  EXPECT_EQ(options->endpoint.max_connections, 10000u);
  EXPECT_EQ(options->endpoint.idle_timeout, std::chrono::seconds(90));
}

TEST(OptionsTest, TuningReachesItsParts) {
  CommandLine line = with_tls();
  line.stable_after_hours = 0.5;
  line.stable_min_pods = 3;
  line.max_connections = 20000;
  line.idle_timeout_s = 300;
  auto options = aggregator_options(line);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->writer.lifecycle.stable_after, std::chrono::minutes(30));
  EXPECT_EQ(options->writer.lifecycle.stable_min_pods, 3u);
  EXPECT_EQ(options->endpoint.max_connections, 20000u);
  EXPECT_EQ(options->endpoint.idle_timeout, std::chrono::seconds(300));
  line.stable_after_hours = -1;
  EXPECT_FALSE(aggregator_options(line));
}

TEST(OptionsTest, ClientCaTurnsOnMutualTls) {
  CommandLine line = with_tls();
  line.client_ca = "agents-ca.pem";
  auto options = aggregator_options(line);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->endpoint.client_ca_file, "agents-ca.pem");
  EXPECT_TRUE(options->ingest.require_client_cert);
}

TEST(OptionsTest, RefusesWhatCannotWork) {
  EXPECT_FALSE(aggregator_options(CommandLine{}));  // no TLS
  const std::vector<std::function<void(CommandLine&)>> breakages = {
      [](CommandLine& line) { line.listen = ":https"; },
      [](CommandLine& line) { line.default_action = "SCMP_ACT_ALLOW"; },
      [](CommandLine& line) { line.arg_level = "paranoid"; },
      [](CommandLine& line) { line.api_version = "v2"; },
      [](CommandLine& line) { line.max_connections = 0; },
      [](CommandLine& line) { line.idle_timeout_s = 0.5; },
  };
  for (std::size_t i = 0; i < breakages.size(); ++i) {
    CommandLine line = with_tls();
    breakages[i](line);
    EXPECT_FALSE(aggregator_options(line)) << "breakage " << i;
  }
}

TEST(ApiVersionTest, V1WhenServedElseV1beta1) {
  const json both = {{"versions", {{{"version", "v1beta1"}}, {{"version", "v1"}}}}};
  EXPECT_EQ(*pick_spo_version(both), "v1");
  const json old = {{"versions", {{{"version", "v1alpha1"}}, {{"version", "v1beta1"}}}}};
  EXPECT_EQ(*pick_spo_version(old), "v1beta1");
  const auto none = pick_spo_version(json::object());
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("Security Profiles Operator"), std::string::npos);
}

}  // namespace
}  // namespace tailor::aggregator
