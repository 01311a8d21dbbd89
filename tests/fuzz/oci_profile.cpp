// OCI and Docker seccomp profiles (Moby's extended format too): `tailor diff` and `verify` read
// them, Docker's and the runtimes' defaults among them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/profile/oci.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor::common;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)decode_profile(text);
  (void)decode_profile(text, {.allow_unknown_names = true, .drop_unknown_names = true});
  const auto lenient = decode_profile(text, {.allow_unknown_names = true});
  if (!lenient) return 0;
  const auto again =
      decode_profile(encode_profile(lenient->profile), {.allow_unknown_names = true});
  if (!again || again->profile != lenient->profile) __builtin_trap();
  return 0;
}
