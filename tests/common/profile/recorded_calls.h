#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/report/report.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "tests/common/testing/sample_report.h"

namespace tailor::common::testing {

// A call of the host's native architecture as the recorder reports it, so profiles made from
// it can be loaded into this kernel.
inline SyscallEntry call(const std::string& name, Phase phase = Phase::workload,
                         std::optional<RecordedArg> arg = std::nullopt,
                         const std::string& comm = "app") {
  const auto nr = syscall_number(native_arch(), name);
  return SyscallEntry{.arch = native_arch(),
                      .nr = nr.ok() && nr->has_value() ? **nr : 0,
                      .name = name,
                      .phase = phase,
                      .count = 1,
                      .first_caller = FirstCaller{1, 1, comm},
                      .arg = std::move(arg)};
}

inline RecordedArg values(uint32_t index, std::vector<uint64_t> recorded, bool complete = true) {
  RecordedArg arg{.index = index, .complete = complete};
  for (uint64_t value : recorded) arg.values[value] = 1;
  return arg;
}

inline Report recording_of(std::vector<SyscallEntry> calls) {
  Report report = sample_report();
  report.info.native_arch = native_arch();
  report.syscalls = std::move(calls);
  return report;
}

}  // namespace tailor::common::testing
