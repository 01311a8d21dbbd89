// How long the HTML report of a huge recording takes to load: the report of
// tests/common/testing/huge_report.h (400 syscalls, 100,000 argument values) written by
// `tailor report --html` and loaded RUNS times in Debian's headless Chromium, a fresh browser
// each time (tests/tools/browser/load_page.mjs). docs/benchmarks.md has the figures.
// Usage: tailor_bench_html_report_load [RUNS]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/common/testing/huge_report.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/process.h"

int main(int argc, char** argv) {
  using namespace tailor;
  const int runs = argc > 1 ? std::atoi(argv[1]) : 3;
  for (const char* needed : {TAILOR_BROWSER_DIR "/node_modules/playwright-core/package.json",
                             "/usr/bin/chromium", "/usr/bin/node"}) {
    if (!std::filesystem::exists(needed)) {
      std::fprintf(stderr, "missing %s (scripts/install-deps.sh and the browser_tools target)\n",
                   needed);
      return 1;
    }
  }
  common::testing::TempDir dir;
  const std::string report = dir.file("huge.report.json"), page = dir.file("huge.html");
  if (auto written = common::write_report_file(report, common::testing::huge_report()); !written) {
    std::fprintf(stderr, "%s\n", written.error().message.c_str());
    return 1;
  }
  const auto rendered = testing::run_process({TAILOR_BIN, "report", report, "--html", "-o", page});
  if (rendered.exit_status != 0) {
    std::fprintf(stderr, "tailor report --html failed: %s\n", rendered.err.c_str());
    return 1;
  }
  std::printf("page: %ju KiB\n", static_cast<uintmax_t>(std::filesystem::file_size(page) / 1024));
  for (int i = 0; i < runs; ++i) {
    const auto browser =
        testing::run_process({"/usr/bin/node", TAILOR_BROWSER_DIR "/load_page.mjs", page});
    const auto result = nlohmann::json::parse(browser.out, nullptr, false);
    if (browser.exit_status != 0 || result.is_discarded()) {
      std::fprintf(stderr, "the browser failed: %s%s\n", browser.out.c_str(), browser.err.c_str());
      return 1;
    }
    std::printf("load %d: %d ms\n", i + 1, result.value("load_ms", -1));
  }
  return 0;
}
