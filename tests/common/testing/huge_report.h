#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>

#include "common/report/report.h"
#include "common/syscalls/names.h"
#include "tests/common/testing/sample_report.h"

namespace tailor::common::testing {

// The largest report the HTML page is checked with (and its load time measured on, bench/):
// 400 syscalls of x86_64 and x86 with real names, so categories and the sensitive calls' notes
// are as in a real report, 40 first processes, and 20 syscalls with 5,000 argument values each.
inline Report huge_report() {
  Report report = sample_report();
  report.syscalls.clear();
  report.recorder_stats = {{"events_sent", 400}};
  for (const char* arch : {"x86_64", "x86"}) {
    for (uint32_t nr = 0; nr < 600 && report.syscalls.size() < 400; ++nr) {
      const auto name = syscall_name(arch, nr);
      if (!name.ok()) throw std::runtime_error(name.error().message);
      if (!*name) continue;
      const uint32_t i = static_cast<uint32_t>(report.syscalls.size());
      SyscallEntry entry{
          arch,
          nr,
          **name,
          Phase::workload,
          1 + i * 7919ull % 100000,
          i * 25'000'000ull,
          FirstCaller{100 + i % 40, 100 + i % 40, "worker-" + std::to_string(i % 40)}};
      if (i < 20) {
        entry.arg = RecordedArg{0, {}, true};
        for (uint64_t v = 0; v < 5000; ++v) entry.arg->values[v * 4096 + i] = v + 1;
      }
      report.syscalls.push_back(std::move(entry));
    }
  }
  std::sort(report.syscalls.begin(), report.syscalls.end(), [](const auto& a, const auto& b) {
    return std::tie(a.arch, a.nr) < std::tie(b.arch, b.nr);
  });
  return report;
}

}  // namespace tailor::common::testing
