#include "common/report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/util/file.h"
#include "tests/common/testing/error_of.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using testing::error_of;
using ::testing::HasSubstr;
using testing::sample_report;
using testing::sample_report_with_runtime_execs;
using ::testing::StartsWith;
using testing::TempDir;

// The sample report as a JSON value, to break one field at a time.
json sample_json() { return json::parse(encode_report(sample_report())); }

std::string decode_error(const json& document) { return error_of(decode_report(document.dump())); }

TEST(ReportTest, RoundTrips) {
  const Report report = sample_report();
  const auto decoded = decode_report(encode_report(report));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, report);
}

TEST(ReportTest, EncodesTheDocumentedLayout) {
  const json document = sample_json();
  EXPECT_EQ(document["format"], "tailor.report");
  EXPECT_EQ(document["version"], 1);
  EXPECT_EQ(document["recording"]["native_arch"], "x86_64");
  EXPECT_EQ(document["recording"]["exit_status"], 0);
  EXPECT_EQ(document["syscalls"][1],
            json::parse(R"({"arch": "x86_64", "nr": 0, "name": "read", "phase": "workload",
                            "count": 40, "first_seen_ns": 2000000,
                            "first_caller": {"pid": 42, "tid": 42, "comm": "sh"}})"));
  EXPECT_EQ(document["syscalls"][3]["arg"], json::parse(R"({"index": 0, "complete": true,
                            "values": [{"value": 1, "count": 1}, {"value": 2, "count": 2}]})"));
  EXPECT_EQ(document["syscalls"][5]["phase"], "runtime-setup");
  EXPECT_EQ(document["recorder_stats"]["events_dropped"], 1);
}

TEST(ReportTest, KeepsACommandsArgvAsAListAndReadsReportsWithout) {
  json document = sample_json();
  EXPECT_EQ(document["recording"]["argv"], (json{"sh", "-c", "curl -s example.com"}));
  EXPECT_EQ(command_line(sample_report().info), "sh -c 'curl -s example.com'");

  document["recording"].erase("argv");  // as reports were written before it
  const auto old = decode_report(document.dump());
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_TRUE(old->info.argv.empty());
  EXPECT_EQ(command_line(old->info), "sh -c 'curl -s example.com'");

  document["recording"]["argv"] = "sh -c true";
  EXPECT_THAT(decode_error(document), HasSubstr("recording.argv"));
}

TEST(ReportTest, ARecordingOfOnlyTheRuntimesSetUpRecordsNothing) {
  Report report = sample_report();
  EXPECT_FALSE(records_nothing(report));
  std::erase_if(report.syscalls,
                [](const SyscallEntry& entry) { return entry.phase != Phase::runtime_setup; });
  EXPECT_TRUE(records_nothing(report));
  report.syscalls.clear();
  EXPECT_TRUE(records_nothing(report));
}

// The runtime's rows of a syscall the workload also made, and a compat call of the same number:
// one syscall per (architecture, number), first seen at the earliest of its rows.
TEST(ReportTest, DistinctSyscallsAreByArchitectureAndNumberWhateverThePhase) {
  Report report = sample_report_with_runtime_execs();
  report.syscalls.push_back({"x86", 59, "oldolduname", Phase::workload, 1, 700'000'000, {}});
  EXPECT_EQ(distinct_first_seen_ns(report),
            (std::vector<uint64_t>{500'000, 2'000'000, 2'500'000, 12'000'000, 13'000'000,
                                   30'000'000, 40'000'000, 700'000'000, 900'000'000}));
}

TEST(ReportTest, RejectsUnknownPhasesAndArgumentIndexes) {
  json document = sample_json();
  document["syscalls"][1]["phase"] = "bootstrap";
  auto decoded = decode_report(document.dump());
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("syscalls[1].phase"), std::string::npos)
      << decoded.error().message;
  document = sample_json();
  document["syscalls"][3]["arg"]["index"] = 9;
  decoded = decode_report(document.dump());
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("syscalls[3].arg.index"), std::string::npos)
      << decoded.error().message;
}

TEST(ReportTest, ANumberOutOfRangeIsAnErrorNotACrash) {
  auto decoded = decode_report(R"({"format": "tailor.report", "version": 1e400})");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("not valid JSON: a number is too large"),
            std::string::npos)
      << decoded.error().message;
}

// A report edited by hand (or by anyone) cannot make a profile allow a name in place of the
// number it recorded: the number is the identity.
TEST(ReportTest, RefusesANameThatIsNotItsNumbers) {
  json document = sample_json();
  ASSERT_EQ(document["syscalls"][1]["name"], "read");
  document["syscalls"][1]["name"] = "bogus";
  EXPECT_THAT(decode_error(document),
              HasSubstr("syscalls[1].name: the name \"bogus\" does not match syscall 0 on x86_64, "
                        "which is read"));
  document["syscalls"][1]["name"] = "read";
  EXPECT_EQ(decode_error(document), testing::kNoError);
  document["syscalls"][1].erase("name");
  EXPECT_EQ(decode_error(document), testing::kNoError) << "a name is optional";
}

TEST(ReportTest, APhaselessEntryIsTheWorkloads) {
  json document = sample_json();
  document["syscalls"][1].erase("phase");
  auto decoded = decode_report(document.dump());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->syscalls[1].phase, Phase::workload);
}

TEST(ReportTest, LeavesOutAbsentValues) {
  Report report = sample_report();
  report.info.exit_status.reset();
  const json document = json::parse(encode_report(report));
  EXPECT_FALSE(document["recording"].contains("exit_status"));
  EXPECT_FALSE(document["syscalls"][5].contains("first_caller"));  // mount
  EXPECT_FALSE(document["syscalls"][7].contains("name"));          // x86_64 540
  EXPECT_EQ(decode_report(document.dump()).value(), report);
}

TEST(ReportTest, IgnoresUnknownFields) {
  json document = sample_json();
  document["added_later"] = {{"x", 1}};
  document["recording"]["container_image"] = "nginx";
  document["syscalls"][0]["latency_ns"] = 5;
  const auto decoded = decode_report(document.dump());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, sample_report());
}

TEST(ReportTest, RejectsText) {
  EXPECT_THAT(decode_report("syscalls: lots").error().message,
              StartsWith("invalid report: not valid JSON: parse error at line 1"));
  EXPECT_EQ(decode_report("[]").error().message, "invalid report: expected an object, found array");
}

TEST(ReportTest, RejectsOtherFormats) {
  json document = sample_json();
  document["format"] = "seccomp";
  EXPECT_EQ(decode_error(document),
            "not a tailor report: format is \"seccomp\", expected \"tailor.report\"");
  document.erase("format");
  EXPECT_EQ(decode_error(document), "invalid report: format: missing");
}

TEST(ReportTest, RejectsNewerVersionsWhateverElseChanged) {
  const json document = {{"format", "tailor.report"}, {"version", 2}, {"calls", json::array()}};
  EXPECT_EQ(decode_error(document),
            "report version 2 is newer than this tailor understands (1); upgrade tailor");
}

TEST(ReportTest, RejectsVersionsBeforeTheFirst) {
  json document = sample_json();
  document["version"] = 0;
  EXPECT_EQ(decode_error(document),
            "invalid report: version 0 does not exist; versions start at 1");
  document["version"] = "1";
  EXPECT_THAT(decode_error(document), HasSubstr("version: expected an integer"));
}

TEST(ReportTest, NamesTheMissingField) {
  json document = sample_json();
  document["recording"].erase("hostname");
  EXPECT_EQ(decode_error(document), "invalid report: recording.hostname: missing");

  document = sample_json();
  document.erase("syscalls");
  EXPECT_EQ(decode_error(document), "invalid report: syscalls: missing");

  document = sample_json();
  document["syscalls"][3]["first_caller"].erase("comm");
  EXPECT_EQ(decode_error(document), "invalid report: syscalls[3].first_caller.comm: missing");
}

TEST(ReportTest, NamesTheMistypedField) {
  json document = sample_json();
  document["syscalls"][2]["count"] = "two";
  EXPECT_EQ(decode_error(document),
            "invalid report: syscalls[2].count: expected an integer from 0 to "
            "18446744073709551615");

  document = sample_json();
  document["syscalls"][0]["first_caller"]["pid"] = -1;
  EXPECT_THAT(decode_error(document), HasSubstr("syscalls[0].first_caller.pid: expected"));

  document = sample_json();
  document["recorder_stats"]["sets_full"] = "none";
  EXPECT_THAT(decode_error(document), HasSubstr("recorder_stats.sets_full: expected"));

  document = sample_json();
  document["syscalls"][4] = "execve";
  EXPECT_EQ(decode_error(document),
            "invalid report: syscalls[4]: expected an object, found string");

  document = sample_json();
  document["recording"] = json::array();
  EXPECT_EQ(decode_error(document), "invalid report: recording: expected an object");
}

TEST(ReportTest, RejectsUnknownArchitectures) {
  json document = sample_json();
  document["syscalls"][1]["arch"] = "vax";
  EXPECT_THAT(decode_error(document),
              StartsWith("invalid report: syscalls[1].arch: unknown architecture \"vax\""));

  document = sample_json();
  document["recording"]["native_arch"] = "SCMP_ARCH_X86_64";
  EXPECT_THAT(decode_error(document), StartsWith("invalid report: recording.native_arch: "
                                                 "unknown architecture \"SCMP_ARCH_X86_64\""));
}

TEST(ReportTest, RecorderFaultsLeaveOutInformationalCountersAndZeros) {
  Report report = sample_report();
  report.recorder_stats = {{"events_sent", 9},
                           {"resolve_cache_misses", 4},
                           {"events_dropped", 2},
                           {"sets_full", 0},
                           {"new_counter", 1}};
  const auto faults = recorder_faults(report);
  EXPECT_THAT(faults, ElementsAre(std::pair<const std::string, uint64_t>{"events_dropped", 2},
                                  std::pair<const std::string, uint64_t>{"new_counter", 1}));
}

TEST(ReportTest, SaysWhatEachFaultCounterMeansIsMissing) {
  EXPECT_THAT(fault_effect("sets_full"), HasSubstr("every syscall of a cgroup"));
  EXPECT_THAT(fault_effect("events_dropped"), HasSubstr("first callers"));
  EXPECT_THAT(fault_effect("new_counter"), HasSubstr("does not know"));
}

TEST(ReportFileTest, WritesAndReadsBack) {
  TempDir dir;
  const std::string path = dir.file("run.report.json");
  ASSERT_TRUE(write_report_file(path, sample_report()).ok());
  EXPECT_EQ(read_file(path).value(), encode_report(sample_report()) + "\n");
  const auto read = read_report_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, sample_report());
}

TEST(ReportFileTest, MissingFileIsAClearError) {
  TempDir dir;
  EXPECT_EQ(error_of(read_report_file(dir.file("nope.json"))),
            "cannot read " + dir.file("nope.json") + ": No such file or directory");
}

TEST(ReportFileTest, InvalidFileErrorStartsWithThePath) {
  TempDir dir;
  const std::string path = dir.file("bad.json");
  ASSERT_TRUE(write_report_file(path, sample_report()).ok());
  std::filesystem::resize_file(path, 40);
  const auto read = read_report_file(path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.error().message, StartsWith(path + ": invalid report: not valid JSON"));
}

TEST(ReportFileTest, FailedWriteNamesThePath) {
  TempDir dir;
  const std::string path = dir.file("missing/run.json");
  EXPECT_EQ(error_of(write_report_file(path, sample_report())),
            "cannot write " + path + ": No such file or directory");
}

}  // namespace
}  // namespace tailor::common
