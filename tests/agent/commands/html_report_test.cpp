// `tailor report --html` as people see it: the real binary writes the page and Debian's headless
// Chromium (driven by playwright-core, tests/tools/browser/check_report.mjs) renders it, checks
// its numbers and rows, sorts and filters it, and fails on any network request or console error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "common/report/report.h"
#include "common/syscalls/categories.h"
#include "common/syscalls/names.h"
#include "common/util/file.h"
#include "common/util/saturating.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_tailor;

class HtmlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* needed : {TAILOR_BROWSER_DIR "/node_modules/playwright-core/package.json",
                               "/usr/bin/chromium", "/usr/bin/node"}) {
      ASSERT_TRUE(fs::exists(needed))
          << "missing " << needed << " (scripts/install-deps.sh and the browser_tools target)";
    }
  }

  // The expectations every page meets: its counts and the recorder's warnings.
  static json expect_counts(const common::Report& report) {
    uint64_t calls = 0;
    for (const auto& entry : report.syscalls) calls = common::saturating_add(calls, entry.count);
    json warnings = json::array();
    if (!common::recorder_faults(report).empty()) {
      warnings.push_back("the recorder lost data");
      for (const auto& [name, value] : common::recorder_faults(report)) {
        warnings.push_back(name + "=" + std::to_string(value));
        warnings.push_back(name + ": " + common::fault_effect(name));
      }
    }
    return {{"syscalls", report.syscalls.size()}, {"calls", calls}, {"warnings", warnings}};
  }

  // Writes `report`, renders it with tailor and checks it in the browser; the screenshot goes
  // to the build tree as NAME.png. Returns the page's load time in milliseconds.
  int check(const std::string& name, const common::Report& report, const json& expected) {
    const std::string report_path = dir_.file(name + ".report.json");
    EXPECT_TRUE(common::write_report_file(report_path, report).ok());
    return check_file(name, report_path, expected);
  }

  int check_file(const std::string& name, const std::string& report_path, const json& expected) {
    const std::string page = dir_.file(name + ".html");
    const auto rendered = run_tailor({"report", report_path, "--html", "-o", page});
    EXPECT_EQ(rendered.exit_status, 0) << rendered.err;
    EXPECT_EQ(rendered.out, "");
    const std::string expect_path = dir_.file(name + ".expect.json");
    std::ofstream(expect_path) << expected.dump();
    fs::create_directories(TAILOR_SCREENSHOT_DIR);
    const auto browser = tailor::testing::run_process(
        {"/usr/bin/node", TAILOR_BROWSER_DIR "/check_report.mjs", page,
         std::string(TAILOR_SCREENSHOT_DIR) + "/" + name + ".png", expect_path});
    EXPECT_EQ(browser.exit_status, 0) << browser.out << browser.err;
    const auto result = json::parse(browser.out, nullptr, false);
    EXPECT_FALSE(result.is_discarded()) << browser.out << browser.err;
    if (result.is_discarded()) return -1;
    EXPECT_EQ(result["failures"], json::array()) << result.dump();
    return result.value("load_ms", -1);
  }

  common::testing::TempDir dir_;
};

TEST_F(HtmlReportTest, ARecordingOfTheTestWorkload) {
  if (::geteuid() != 0) FAIL() << "needs root to load BPF programs; run the suite as root";
  if (!fs::exists("/sys/kernel/btf/vmlinux"))
    GTEST_SKIP() << "needs kernel BTF at /sys/kernel/btf/vmlinux";
  const std::string path = dir_.file("workload.report.json");
  const auto recorded = run_tailor({"record", "-o", path, "--", TAILOR_TEST_WORKLOAD, "probe"});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.err;
  const auto report = common::read_report_file(path);
  ASSERT_TRUE(report.ok()) << report.error().message;

  json expected = expect_counts(*report);
  std::string comm;
  std::size_t by_comm = 0, time_calls = 0;
  for (const auto& entry : report->syscalls) {
    if (entry.name == "getcpu") comm = entry.first_caller ? entry.first_caller->comm : "";
    if (common::category_of(entry.name) == common::Category::time) ++time_calls;
  }
  ASSERT_FALSE(comm.empty()) << "no first caller of getcpu in the recording";
  for (const auto& entry : report->syscalls) {
    if (entry.first_caller && entry.first_caller->comm == comm) ++by_comm;
  }
  expected["text"] = {{"getcpu", 1}, {"sched_rr_get_interval", 1}};
  expected["category"] = {{"time", time_calls}};
  expected["process"] = {{comm, by_comm}};
  check_file("recorded", path, expected);
}

TEST_F(HtmlReportTest, TheSampleReport) {
  const common::Report report = common::testing::sample_report();
  json expected = expect_counts(report);
  expected["text"] = {{"socket", 1}, {"legacy32", 1}, {"#540", 1}};
  expected["category"] = {{"file", 3}, {"network", 1}, {"security-sensitive", 1}, {"other", 1}};
  expected["process"] = {{"curl", 3}, {"sh", 3}};
  expected["literal"] = {"mounts filesystems, which can hide or expose the host's files",
                         "argument 0: 2 values"};
  check("sample", report, expected);
}

TEST_F(HtmlReportTest, NamesAndCommandLinesAreShownAsText) {
  common::Report report = common::testing::sample_report();
  const std::string command = "<img src=x onerror=\"fetch(`http://example.com/`)\">";
  const std::string comm = "<script>x</script>";
  report.info.argv = {"sh", "-c", command};
  report.info.hostname = "</dd><img src=y>";
  report.syscalls[1].first_caller->comm = comm;
  json expected = expect_counts(report);
  expected["process"] = {{comm, 1}};
  expected["text"] = {{"<script>", 1}};
  expected["literal"] = {command, comm, "</dd><img src=y>"};
  check("hostile", report, expected);
}

TEST_F(HtmlReportTest, AReportWithNoSyscalls) {
  common::Report report = common::testing::sample_report();
  report.syscalls.clear();
  report.recorder_stats = {{"events_sent", 0}};
  json expected = expect_counts(report);
  expected["category"] = {{"file", 0}};
  expected["text"] = {{"read", 0}};
  check("empty", report, expected);
}

TEST_F(HtmlReportTest, TheRecordersDataLossIsWarnedAbout) {
  common::Report report = common::testing::sample_report();
  report.recorder_stats = {{"events_sent", 9},
                           {"events_dropped", 3},
                           {"sets_full", 1},
                           {"arg_values_overflow", 2},
                           {"a_counter_added_later", 5}};
  report.syscalls[3].arg->complete = false;
  json expected = expect_counts(report);
  ASSERT_EQ(expected["warnings"].size(), 9u);
  expected["literal"] = {"partial: the recorder ran out of room"};
  check("data-loss", report, expected);
}

// What a filter denied comes first on the page, before the summary, and only when there is any.
TEST_F(HtmlReportTest, DeniedCallsComeFirst) {
  common::Report report = common::testing::sample_report();
  report.denied =
      common::Denials{common::watched_denial_actions(),
                      {{"x86_64", 110, "getppid", common::DenialAction::trap, 3, 5, std::nullopt}}};
  const std::string report_path = dir_.file("denied.report.json");
  ASSERT_TRUE(common::write_report_file(report_path, report).ok());
  const std::string page_path = dir_.file("denied.html");
  ASSERT_EQ(run_tailor({"report", report_path, "--html", "-o", page_path}).exit_status, 0);
  auto page = common::read_file(page_path);
  ASSERT_TRUE(page);
  const auto denied = page->find("<section id=\"denied\"");
  ASSERT_NE(denied, std::string::npos);
  EXPECT_LT(denied, page->find("<section id=\"summary\""));
  EXPECT_NE(page->find("<td>getppid</td><td>x86_64</td><td>trap</td>", denied), std::string::npos);

  report.denied->calls.clear();
  ASSERT_TRUE(common::write_report_file(report_path, report).ok());
  ASSERT_EQ(run_tailor({"report", report_path, "--html", "-o", page_path}).exit_status, 0);
  page = common::read_file(page_path);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->find("<section id=\"denied\""), std::string::npos);
}

// 400 syscalls with 100k argument values: the page stays usable; its load time is in
// docs/benchmarks.md.
TEST_F(HtmlReportTest, AHugeReport) {
  common::Report report = common::testing::sample_report();
  report.syscalls.clear();
  report.recorder_stats = {{"events_sent", 400}};
  // Real names, so categories and the sensitive calls' notes are as in a real report.
  for (const char* arch : {"x86_64", "x86"}) {
    for (uint32_t nr = 0; nr < 600 && report.syscalls.size() < 400; ++nr) {
      const auto name = common::syscall_name(arch, nr);
      ASSERT_TRUE(name.ok()) << name.error().message;
      if (!*name) continue;
      const uint32_t i = static_cast<uint32_t>(report.syscalls.size());
      common::SyscallEntry entry{
          arch,
          nr,
          **name,
          common::Phase::workload,
          1 + i * 7919ull % 100000,
          i * 25'000'000ull,
          common::FirstCaller{100 + i % 40, 100 + i % 40, "worker-" + std::to_string(i % 40)}};
      if (i < 20) {
        entry.arg = common::RecordedArg{0, {}, true};
        for (uint64_t v = 0; v < 5000; ++v) entry.arg->values[v * 4096 + i] = v + 1;
      }
      report.syscalls.push_back(std::move(entry));
    }
  }
  ASSERT_EQ(report.syscalls.size(), 400u);
  std::sort(report.syscalls.begin(), report.syscalls.end(), [](const auto& a, const auto& b) {
    return std::tie(a.arch, a.nr) < std::tie(b.arch, b.nr);
  });
  std::size_t sensitive = 0;
  for (const auto& entry : report.syscalls) sensitive += common::is_security_sensitive(entry.name);
  json expected = expect_counts(report);
  expected["text"] = {{"worker-7[", 10}};
  expected["category"] = {{"security-sensitive", sensitive}};
  expected["process"] = {{"worker-39", 10}};
  expected["full_page"] = false;
  const int load_ms = check("huge", report, expected);
  std::cout << "huge report (400 syscalls, 100000 argument values): "
            << fs::file_size(dir_.file("huge.html")) / 1024 << " KiB, loaded in " << load_ms
            << " ms\n";
  EXPECT_LT(load_ms, 10'000) << "the page takes too long to load to be usable";
}

}  // namespace
}  // namespace tailor::agent
