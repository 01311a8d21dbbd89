// The real tailor-aggregator binary's command line: --version and usage errors come before the
// checks of what it needs to serve (--tls-cert), each one line with exit 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/process.h"

namespace tailor::aggregator {
namespace {

using tailor::testing::run_process;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

tailor::testing::ProcessResult run_aggregator(std::vector<std::string> args) {
  args.insert(args.begin(), AGGREGATOR_BIN);
  return run_process(args);
}

void expect_usage_error(const tailor::testing::ProcessResult& result, const std::string& message) {
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_THAT(result.err, ::testing::StartsWith("tailor-aggregator: " + message));
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(AggregatorCommandLineTest, VersionNeedsNoCertificate) {
  const auto result = run_aggregator({"--version"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(
      result.out,
      MatchesRegex("tailor-aggregator [0-9]+\\.[0-9]+\\.[0-9]+ \\(git [0-9a-zA-Z.-]+\\)\n"));
}

TEST(AggregatorCommandLineTest, UnknownFlagIsNamedBeforeMissingCertificates) {
  expect_usage_error(run_aggregator({"--bogus"}),
                     "unknown option --bogus; see 'tailor-aggregator --help'");
  expect_usage_error(run_aggregator({"--rate", "many"}),
                     "--rate: 'many' is not a number; see 'tailor-aggregator --help'");
}

TEST(AggregatorCommandLineTest, MissingCertificatesAreAUsageError) {
  expect_usage_error(run_aggregator({}), "--tls-cert and --tls-key are required");
  expect_usage_error(run_aggregator({"--tls-cert", "a.crt"}),
                     "--tls-cert and --tls-key are required");
}

TEST(AggregatorCommandLineTest, HelpListsTheFlags) {
  const auto result = run_aggregator({"--help"});
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.out, HasSubstr("--tls-cert"));
  EXPECT_THAT(result.out, HasSubstr("--version"));
  EXPECT_THAT(result.out, HasSubstr("--stable-after-hours"));
  EXPECT_THAT(result.out, HasSubstr("--stable-min-pods"));
}

}  // namespace
}  // namespace tailor::aggregator
