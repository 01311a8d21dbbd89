// The aggregator's ingest endpoint: a node's delta batch, decoded and validated.
#include "common/wire/delta.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor::common;
  const auto delta = decode_delta(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!delta) return 0;
  // A batch that decodes must survive encoding unchanged: the agent's spool and resends rely on it.
  const auto again = decode_delta(encode_delta(*delta));
  if (!again || *again != *delta) __builtin_trap();
  return 0;
}
