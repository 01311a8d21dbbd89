// The body of a Kubernetes watch, which arrives in chunks split anywhere: the first byte says
// where the input is cut into two chunks, so events split across chunks are tried too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/k8s/client/watch_event_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t cut = data[0] % (body.size() + 1);
  tailor::common::WatchEventReader reader;
  if (reader.feed(body.substr(0, cut))) (void)reader.feed(body.substr(cut));
  return 0;
}
