#include "common/wire/delta.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "common/syscalls/names.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

Delta sample_delta() {
  Delta delta;
  delta.node = "node-a";
  delta.agent = {"6f1c2a", 1700000000000};
  delta.seq = 7;
  WorkloadDelta web;
  web.key = {"shop", "Deployment", "web", "nginx"};
  web.pods = {"3c1e6f2a-0000-4000-8000-000000000001", "3c1e6f2a-0000-4000-8000-000000000002"};
  web.syscalls.push_back({"x86_64", 0, "read", Phase::workload, 40, 1700000000100, std::nullopt});
  web.syscalls.push_back({"x86_64", 56, "clone", Phase::runtime_filtered, 3, 1700000000200,
                          RecordedArg{0, {{0x11, 2}, {0x3d0f00, 1}}, false}});
  web.syscalls.push_back({"x86", 20, "", Phase::runtime_setup, 1, 1700000000300, std::nullopt});
  web.enforcement = DeltaEnforcement{"", "RuntimeDefault", 2, 2};
  // A workload whose recorded set no longer grows: only pods, denials and enforcement.
  WorkloadDelta enforced;
  enforced.key = {"shop", "Pod", "debug", "shell"};
  enforced.pods = {"3c1e6f2a-0000-4000-8000-000000000003"};
  enforced.denied.push_back({"x86_64", 165, "mount", DenialAction::errno_ret, 3, 1700000000400,
                             "3c1e6f2a-0000-4000-8000-000000000003", "nginx"});
  enforced.denied.push_back({"x86_64", 165, "mount", DenialAction::trap, 1, 1700000000500, "", ""});
  enforced.enforcement = DeltaEnforcement{"operator/shop/debug-shell.json", "Localhost", 1, 1};
  delta.workloads = {web, enforced};
  return delta;
}

json sample_json() { return json::parse(encode_delta(sample_delta())); }

// What decoding gives back: every syscall named from its number.
Delta with_names(Delta delta) {
  for (auto& workload : delta.workloads)
    for (auto& syscall : workload.syscalls)
      syscall.name = syscall_name(syscall.arch, syscall.nr).value().value();
  return delta;
}

std::string decode_text_error(const std::string& text, const DeltaLimits& limits = {}) {
  const auto delta = decode_delta(text, limits);
  return delta.ok() ? "decoded without error" : delta.error().message;
}

std::string decode_error(const json& document, const DeltaLimits& limits = {}) {
  return decode_text_error(document.dump(), limits);
}

TEST(DeltaTest, RoundTrips) {
  const Delta delta = sample_delta();
  const auto decoded = decode_delta(encode_delta(delta));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, with_names(delta));
}

// Batches over 64 KiB are parsed by a parser of their own (docs/decisions/0004), smaller ones
// by the thread's reused parser: both decode exactly, in either order.
TEST(DeltaTest, RoundTripsBatchesLargerAndSmallerThanTheReusedParser) {
  Delta large = sample_delta();
  const WorkloadDelta model = large.workloads.front();
  large.workloads.clear();
  for (int i = 0; i < 200; ++i) {
    WorkloadDelta workload = model;
    workload.key.name = "app-" + std::to_string(i);
    for (uint32_t nr = 100; nr < 106; ++nr)
      workload.syscalls.push_back({"x86_64", nr, "", Phase::workload, nr, 1700000000100, {}});
    large.workloads.push_back(workload);
  }
  const std::string text = encode_delta(large);
  ASSERT_GT(text.size(), std::size_t{64} << 10);
  for (int round = 0; round < 2; ++round) {
    const auto decoded = decode_delta(text);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, with_names(large));
    const auto small = decode_delta(encode_delta(sample_delta()));
    ASSERT_TRUE(small.ok()) << small.error().message;
    EXPECT_EQ(*small, with_names(sample_delta()));
  }
}

TEST(DeltaTest, RoundTripsAnEmptyBatch) {
  Delta delta = sample_delta();
  delta.workloads.clear();
  const auto decoded = decode_delta(encode_delta(delta));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, delta);
}

TEST(DeltaTest, EncodesTheDocumentedLayout) {
  const json document = sample_json();
  EXPECT_EQ(document["format"], "tailor.delta");
  EXPECT_EQ(document["version"], 1);
  EXPECT_EQ(document["node"], "node-a");
  EXPECT_EQ(document["agent"],
            json::parse(R"({"id": "6f1c2a", "started_unix_ms": 1700000000000})"));
  EXPECT_EQ(document["seq"], 7);
  EXPECT_EQ(document["workloads"][0]["key"],
            json::parse(R"({"namespace": "shop", "kind": "Deployment", "name": "web",
                            "container": "nginx"})"));
  EXPECT_EQ(document["workloads"][0]["syscalls"][1],
            json::parse(R"({"arch": "x86_64", "nr": 56, "name": "clone",
                            "phase": "runtime-filtered", "count": 3,
                            "first_seen_unix_ms": 1700000000200,
                            "arg": {"index": 0, "complete": false,
                                    "values": [{"value": 17, "count": 2},
                                               {"value": 4001536, "count": 1}]}})"));
  EXPECT_FALSE(document["workloads"][0]["syscalls"][2].contains("name"));
  EXPECT_EQ(document["workloads"][1]["syscalls"], json::array());
  EXPECT_EQ(document["workloads"][1]["denied"][0],
            json::parse(R"({"arch": "x86_64", "nr": 165, "name": "mount", "action": "errno",
                            "count": 3, "first_seen_unix_ms": 1700000000400,
                            "first_pod": "3c1e6f2a-0000-4000-8000-000000000003",
                            "first_comm": "nginx"})"));
  EXPECT_EQ(document["workloads"][1]["enforcement"],
            json::parse(R"({"localhost_profile": "operator/shop/debug-shell.json",
                            "profile_type": "Localhost", "pods": 1, "pods_filtered": 1})"));
  EXPECT_FALSE(document["workloads"][0].contains("denied"));
}

// What an older agent sends, and what a batch without denials carries: neither field.
TEST(DeltaTest, DecodesWorkloadsWithoutDenialsOrEnforcement) {
  json document = sample_json();
  document["workloads"][1].erase("denied");
  document["workloads"][1].erase("enforcement");
  const auto decoded = decode_delta(document.dump());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(decoded->workloads[1].denied.empty());
  EXPECT_FALSE(decoded->workloads[1].enforcement.has_value());
}

TEST(DeltaTest, ValidatesDenialsLikeSyscalls) {
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& d) { d["arch"] = "vax"; }, "denied[0].arch: unknown architecture \"vax\""},
      {[](json& d) { d["nr"] = 1024; }, "denied[0].nr: must be 0 to 1023"},
      {[](json& d) { d["name"] = "write"; },
       "denied[0].name: the name \"write\" does not match syscall 165 on x86_64, which is mount"},
      {[](json& d) { d["action"] = "log"; }, "denied[0].action: unknown denial action"},
      {[](json& d) { d.erase("action"); }, "denied[0].action: missing"},
      {[](json& d) { d.erase("count"); }, "denied[0].count: missing"},
      {[](json& d) { d["first_seen_unix_ms"] = -1; },
       "denied[0].first_seen_unix_ms: must not be negative"},
      {[](json& d) { d["first_pod"] = std::string(254, 'u'); },
       "denied[0].first_pod: length 254 exceeds"},
      {[](json& d) { d["first_comm"] = 7; }, "denied[0].first_comm: expected a string"},
  };
  for (const auto& [spoil, expected] : cases) {
    json document = sample_json();
    spoil(document["workloads"][1]["denied"][0]);
    EXPECT_THAT(decode_error(document), HasSubstr("workloads[1]." + expected)) << expected;
  }
  json document = sample_json();
  document["workloads"][1]["denied"][0].erase("name");
  const auto decoded = decode_delta(document.dump());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->workloads[1].denied[0].name, "mount");
}

// The same call denied by two actions is two entries; the same action twice is refused.
TEST(DeltaTest, RefusesADuplicateDenial) {
  json document = sample_json();
  document["workloads"][1]["denied"][1]["action"] = "errno";
  EXPECT_THAT(decode_error(document),
              HasSubstr("workloads[1].denied[1].action: duplicate denial x86_64 165 errno"));
}

TEST(DeltaTest, ValidatesEnforcement) {
  json document = sample_json();
  document["workloads"][1]["enforcement"]["pods_filtered"] = 2;
  EXPECT_THAT(decode_error(document),
              HasSubstr("workloads[1].enforcement.pods_filtered: must not exceed pods (1)"));
  document = sample_json();
  document["workloads"][1]["enforcement"].erase("pods");
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[1].enforcement.pods: missing"));
  document = sample_json();
  document["workloads"][1]["enforcement"] = "Localhost";
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[1].enforcement: expected an object"));
  // A path may be longer than a name, but not unbounded.
  document = sample_json();
  document["workloads"][1]["enforcement"]["localhost_profile"] =
      "operator/shop/" + std::string(300, 'p') + ".json";
  EXPECT_TRUE(decode_delta(document.dump()).ok());
  DeltaLimits limits;
  limits.max_profile_path_bytes = 64;
  EXPECT_THAT(decode_error(document, limits),
              HasSubstr("enforcement.localhost_profile: length 319 exceeds the limit "
                        "max_profile_path_bytes (64)"));
}

TEST(DeltaTest, KeepsFullSixtyFourBitValues) {
  Delta delta = sample_delta();
  delta.workloads[0].syscalls[1].arg->values = {{UINT64_MAX, UINT64_MAX}};
  delta.workloads[0].syscalls[1].count = UINT64_MAX;
  const auto decoded = decode_delta(encode_delta(delta));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, with_names(delta));
}

TEST(DeltaTest, RejectsOtherFormatsAndNewerVersions) {
  json document = sample_json();
  document["format"] = "tailor.report";
  EXPECT_THAT(decode_error(document), HasSubstr("not a tailor delta"));

  document = sample_json();
  document["version"] = 2;
  EXPECT_EQ(decode_error(document),
            "delta version 2 is newer than this tailor understands (1); upgrade the aggregator "
            "before the agents");

  document["version"] = 0;
  EXPECT_THAT(decode_error(document), HasSubstr("versions start at 1"));
  document["version"] = "1";
  EXPECT_THAT(decode_error(document), HasSubstr("version: expected an integer"));
}

TEST(DeltaTest, RejectsTruncatedDocuments) {
  const std::string text = encode_delta(sample_delta());
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, text.size() / 2, text.size() - 1}) {
    EXPECT_THAT(decode_text_error(text.substr(0, length)), HasSubstr("not valid JSON")) << length;
  }
}

TEST(DeltaTest, NamesTheFieldOfAWrongType) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/node", "node: expected a string"},
      {"/agent", "agent: expected an object"},
      {"/agent/id", "agent.id: expected a string"},
      {"/seq", "seq: expected an integer"},
      {"/workloads", "workloads: expected an array"},
      {"/workloads/0/key/namespace", "workloads[0].key.namespace: expected a string"},
      {"/workloads/0/pods", "workloads[0].pods: expected an array"},
      {"/workloads/0/pods/1", "workloads[0].pods[1]: expected a string"},
      {"/workloads/0/syscalls/1/count", "workloads[0].syscalls[1].count: expected an integer"},
      {"/workloads/0/syscalls/1/arg/complete",
       "workloads[0].syscalls[1].arg.complete: expected true"},
      {"/workloads/0/syscalls/1/arg/values/0/value",
       "workloads[0].syscalls[1].arg.values[0].value: expected an integer"},
  };
  for (const auto& [pointer, expected] : cases) {
    json document = sample_json();
    document[json::json_pointer(pointer)] = json::object({{"x", 1}});
    if (pointer == "/agent") document[json::json_pointer(pointer)] = "agent";
    EXPECT_THAT(decode_error(document), HasSubstr(expected)) << pointer;
  }
}

TEST(DeltaTest, RejectsMissingFields) {
  json document = sample_json();
  document["workloads"][0]["syscalls"][0].erase("phase");
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[0].syscalls[0].phase: missing"));
  document = sample_json();
  document["workloads"][1]["key"].erase("container");
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[1].key.container: missing"));
}

TEST(DeltaTest, RejectsHugeAndNegativeNumbers) {
  std::string text = encode_delta(sample_delta());
  text.replace(text.find("\"count\":40"), 11, "\"count\":1e400");
  EXPECT_THAT(decode_text_error(text), HasSubstr("not valid JSON: a number is too large"));
  json document = sample_json();
  document["workloads"][0]["syscalls"][0]["count"] = 1.5;
  EXPECT_THAT(decode_error(document), HasSubstr("count: expected an integer"));
  // Beyond 64 bits: no integer the format has.
  EXPECT_THAT(decode_text_error(R"({"format": "tailor.delta", "version": 1, "node": "n",
                               "agent": {"id": "a", "started_unix_ms": 0},
                               "seq": 184467440737095516160, "workloads": []})"),
              HasSubstr("not valid JSON: a number is too large"));
  EXPECT_THAT(decode_text_error(R"({"format": "tailor.delta", "version": 1, "node": "n",
                               "agent": {"id": "a", "started_unix_ms": 9223372036854775808},
                               "seq": 1, "workloads": []})"),
              HasSubstr("agent.started_unix_ms: expected an integer"));
  document = sample_json();
  document["workloads"][0]["syscalls"][0]["first_seen_unix_ms"] = -1;
  EXPECT_THAT(decode_error(document), HasSubstr("first_seen_unix_ms: must not be negative"));
  document = sample_json();
  document["workloads"][0]["syscalls"][0]["nr"] = -3;
  EXPECT_THAT(decode_error(document), HasSubstr("nr: expected an integer from 0"));
}

TEST(DeltaTest, RejectsAbsurdSyscallNumbersAndUnknownNames) {
  json document = sample_json();
  document["workloads"][0]["syscalls"][0]["nr"] = 1024;
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[0].syscalls[0].nr: must be 0 to 1023"));
  document = sample_json();
  document["workloads"][0]["syscalls"][0]["arch"] = "vax";
  EXPECT_THAT(decode_error(document), HasSubstr("unknown architecture \"vax\""));
  document = sample_json();
  document["workloads"][0]["syscalls"][0]["phase"] = "bootstrap";
  EXPECT_THAT(decode_error(document), HasSubstr("syscalls[0].phase: unknown phase"));
  document = sample_json();
  document["workloads"][0]["syscalls"][1]["arg"]["index"] = 6;
  EXPECT_THAT(decode_error(document), HasSubstr("arg.index: must be 0 to 5"));
}

TEST(DeltaTest, RejectsDuplicates) {
  json document = sample_json();
  document["workloads"][1]["key"] = document["workloads"][0]["key"];
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[1].key: duplicate workload"));
  document = sample_json();
  document["workloads"][0]["syscalls"][2] = document["workloads"][0]["syscalls"][0];
  EXPECT_THAT(decode_error(document), HasSubstr("syscalls[2].nr: duplicate entry"));
  document = sample_json();
  document["workloads"][0]["pods"][1] = document["workloads"][0]["pods"][0];
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[0].pods[1]: duplicate pod uid"));
  document = sample_json();
  auto& values = document["workloads"][0]["syscalls"][1]["arg"]["values"];
  values[1]["value"] = values[0]["value"];
  EXPECT_THAT(decode_error(document), HasSubstr("values[1].value: duplicate value 17"));
}

// The number is the identity: a name that is not the number's is refused, never written into a
// profile, and a number no architecture table has is refused too.
TEST(DeltaTest, RefusesANameThatIsNotItsNumbersAndUnknownNumbers) {
  json document = sample_json();
  document["workloads"][0]["syscalls"][0]["name"] = "frobnicate_nonexistent";
  EXPECT_THAT(decode_error(document),
              HasSubstr("workloads[0].syscalls[0].name: the name \"frobnicate_nonexistent\" does "
                        "not match syscall 0 on x86_64, which is read"));
  document = sample_json();
  document["workloads"][0]["syscalls"][0]["name"] = "write";
  EXPECT_THAT(decode_error(document),
              HasSubstr("does not match syscall 0 on x86_64, which is read"));
  document = sample_json();
  document["workloads"][0]["syscalls"][0]["nr"] = 999;
  document["workloads"][0]["syscalls"][0]["name"] = "frobnicate_nonexistent";
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[0].syscalls[0].name: libseccomp"));
  EXPECT_THAT(decode_error(document), HasSubstr("knows no syscall 999 on x86_64"));
  document["workloads"][0]["syscalls"][0].erase("name");
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[0].syscalls[0].nr: libseccomp"));
}

TEST(DeltaTest, RejectsEmptyNames) {
  json document = sample_json();
  document["workloads"][0]["key"]["name"] = "";
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[0].key.name: must not be empty"));
  document = sample_json();
  document["agent"]["id"] = "";
  EXPECT_THAT(decode_error(document), HasSubstr("agent.id: must not be empty"));
}

TEST(DeltaTest, EnforcesEachLimitByName) {
  const std::string text = encode_delta(sample_delta());
  DeltaLimits limits;
  limits.max_document_bytes = text.size() - 1;
  EXPECT_THAT(decode_text_error(text, limits), HasSubstr("exceeds the limit max_document_bytes"));

  limits = {};
  limits.max_workloads = 1;
  EXPECT_THAT(decode_text_error(text, limits),
              HasSubstr("workloads: length 2 exceeds the limit max_workloads (1)"));
  limits = {};
  limits.max_pods_per_workload = 1;
  EXPECT_THAT(decode_text_error(text, limits),
              HasSubstr("workloads[0].pods: length 2 exceeds the limit max_pods_per_workload"));
  limits = {};
  limits.max_syscalls_per_workload = 2;
  EXPECT_THAT(decode_text_error(text, limits),
              HasSubstr("workloads[0].syscalls: length 3 exceeds the limit "
                        "max_syscalls_per_workload (2)"));
  limits = {};
  limits.max_values_per_arg = 1;
  EXPECT_THAT(decode_text_error(text, limits),
              HasSubstr("syscalls[1].arg.values: length 2 exceeds the limit max_values_per_arg"));
  limits = {};
  limits.max_denied_per_workload = 1;
  EXPECT_THAT(decode_text_error(text, limits),
              HasSubstr("workloads[1].denied: length 2 exceeds the limit max_denied_per_workload"));
  limits = {};
  limits.max_string_bytes = 5;
  EXPECT_THAT(decode_text_error(text, limits),
              HasSubstr("node: length 6 exceeds the limit max_string_bytes (5)"));

  json document = sample_json();
  document["workloads"][0]["pods"][0] = std::string(254, 'u');
  EXPECT_THAT(decode_error(document), HasSubstr("workloads[0].pods[0]: length 254 exceeds"));
}

TEST(DeltaTest, RefusesDeepNestingBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(decode_text_error(deep),
              HasSubstr("nesting depth 100000 exceeds the limit max_depth"));

  json document = sample_json();
  json nested = 1;
  for (int i = 0; i < 20; ++i) nested = json::array({nested});
  document["extra"] = nested;
  EXPECT_THAT(decode_error(document), HasSubstr("max_depth"));
  // Brackets inside strings are text, not nesting.
  document = sample_json();
  document["node"] = std::string(40, '[') + "\\\"" + std::string(40, '{');
  DeltaLimits limits;
  limits.max_string_bytes = 100;
  EXPECT_TRUE(decode_delta(document.dump(), limits).ok());
}

TEST(DeltaTest, RejectsANonObjectDocument) {
  EXPECT_THAT(decode_text_error("[]"), HasSubstr("expected an object"));
  EXPECT_THAT(decode_text_error("null"), HasSubstr("expected an object"));
}

}  // namespace
}  // namespace tailor::common
