// Report files: `tailor profile`, `merge`, `diff` and `report` read them from anywhere.
#include "common/report/report.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor::common;
  const auto report = decode_report(std::string(reinterpret_cast<const char*>(data), size));
  if (!report) return 0;
  const auto again = decode_report(encode_report(*report));
  if (!again || *again != *report) __builtin_trap();
  return 0;
}
