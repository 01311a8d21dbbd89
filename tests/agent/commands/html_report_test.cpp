// `tailor report --html` as people see it: the real binary writes the page and Debian's headless
// Chromium (driven by playwright-core, tests/tools/browser/check_report.mjs) renders it, checks
// its numbers and rows, sorts and filters it, and fails on any network request or console error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/profile/implications.h"
#include "common/report/report.h"
#include "common/report/table.h"
#include "common/syscalls/categories.h"
#include "common/syscalls/names.h"
#include "common/util/file.h"
#include "common/util/saturating.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/huge_report.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/recording.h"

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

  // Writes `report`, renders it with tailor and checks it in the browser.
  int check(const std::string& name, const common::Report& report, const json& expected,
            const std::vector<std::string>& flags = {}) {
    const std::string report_path = dir_.file(name + ".report.json");
    EXPECT_TRUE(common::write_report_file(report_path, report).ok());
    return check_file(name, report_path, expected, flags);
  }

  int check_file(const std::string& name, const std::string& report_path, const json& expected,
                 const std::vector<std::string>& flags = {}) {
    const std::string page = dir_.file(name + ".html");
    std::vector<std::string> args = {"report", report_path, "--html", "-o", page};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto rendered = run_tailor(args);
    EXPECT_EQ(rendered.exit_status, 0) << rendered.err;
    EXPECT_EQ(rendered.out, "");
    return browse("check_report.mjs", name, page, expected);
  }

  // Runs the browser check `script` on `page`; the screenshot goes to the build tree as
  // NAME.png. Returns the page's load time in milliseconds.
  int browse(const std::string& script, const std::string& name, const std::string& page,
             const json& expected) {
    const std::string expect_path = dir_.file(name + ".expect.json");
    std::ofstream(expect_path) << expected.dump();
    fs::create_directories(TAILOR_SCREENSHOT_DIR);
    const auto browser = tailor::testing::run_process(
        {"/usr/bin/node", TAILOR_BROWSER_DIR "/" + script, page,
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
  TAILOR_REQUIRE_RECORDING();
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
  expected["literal"] = {"The report holds no syscalls"};
  check("empty", report, expected);
}

// A filtered page says which syscalls it shows, and when none match, that none do.
TEST_F(HtmlReportTest, AFilteredReportSaysWhatItShows) {
  const common::Report report = common::testing::sample_report();
  const common::Report network =
      common::filter_report(report, {{"curl"}, {}, {common::Category::network}});
  ASSERT_EQ(network.syscalls.size(), 1u);
  json expected = expect_counts(network);
  expected["literal"] = {"only the syscalls of category network, first called by curl"};
  check("filtered", report, expected, {"--category", "network", "--first-comm", "curl"});

  expected = expect_counts(common::filter_report(report, {{}, {}, {common::Category::ipc}}));
  expected["literal"] = {"No syscall of the report is one of category ipc."};
  check("filtered-empty", report, expected, {"--category", "ipc"});
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
      common::Denials{common::watched_denial_actions(false),
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
  const common::Report report = common::testing::huge_report();
  ASSERT_EQ(report.syscalls.size(), 400u);
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

// `tailor profile --html`: a recording with threads (so syscalls are implied and clone3 is
// answered with ENOSYS) and a syscall asked for with --allow.
TEST_F(HtmlReportTest, TheProfilePage) {
  common::Report report = common::testing::sample_report();
  report.syscalls.push_back({"x86_64", 56, "clone", common::Phase::workload, 4, 3'000'000,
                             common::FirstCaller{42, 42, "sh"}});
  const std::string report_path = dir_.file("threads.report.json");
  ASSERT_TRUE(common::write_report_file(report_path, report).ok());
  const std::string page = dir_.file("profile.html");
  const auto rendered =
      run_tailor({"profile", report_path, "--allow", "ptrace", "--html", "-o", page});
  ASSERT_EQ(rendered.exit_status, 0) << rendered.err;
  EXPECT_EQ(rendered.out, "");

  const std::size_t implied = common::implied_syscalls(report).size();
  ASSERT_GT(implied, 0u) << "the recording should imply syscalls (it creates threads)";
  const std::size_t recorded = 6;  // open, read, socket, execve, clock_gettime, clone
  json expected = {{"allowed", recorded + implied + 1},
                   {"recorded", recorded},
                   {"added", implied + 1},
                   {"rows", recorded + implied + 2},
                   {"row",
                    {{"socket", {{"reason", "recorded"}, {"arguments", "arg0 == 1 or arg0 == 2"}}},
                     {"read", {{"reason", "recorded"}, {"arguments", "any arguments"}}},
                     {"futex", {{"reason", "implied"}}},
                     {"ptrace", {{"reason", "asked for"}}},
                     {"clone3", {{"reason", "answered with an error"}}}}},
                   {"removed", {"chroot", "process_vm_readv", "mount"}},
                   {"not_removed", {"ptrace"}},
                   {"reason",
                    {{"recorded", recorded},
                     {"implied", implied},
                     {"asked for", 1},
                     {"answered with an error", 1},
                     {"runtime", 0}}},
                   {"category", {{"network", 1}}},
                   {"text", {{"ENOSYS", 1}, {"curl[43]", 2}}},
                   {"warnings", {"events_dropped=1", "has no name in libseccomp"}}};
  browse("check_profile.mjs", "profile", page, expected);
}

TEST_F(HtmlReportTest, TheProfilePageIsNotAProfileFormat) {
  const std::string report_path = dir_.file("sample.report.json");
  ASSERT_TRUE(common::write_report_file(report_path, common::testing::sample_report()).ok());
  const auto both = run_tailor({"profile", report_path, "--html", "--format", "spo"});
  EXPECT_EQ(both.exit_status, 2) << both.err;
  EXPECT_NE(both.err.find("--format excludes --html"), std::string::npos) << both.err;
}

}  // namespace
}  // namespace tailor::agent
