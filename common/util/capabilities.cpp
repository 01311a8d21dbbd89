#include "common/util/capabilities.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace tailor::common {
namespace {

std::string capability_name(int capability) {
  switch (capability) {
    case CAP_DAC_OVERRIDE:
      return "CAP_DAC_OVERRIDE";
    case CAP_DAC_READ_SEARCH:
      return "CAP_DAC_READ_SEARCH";
    case CAP_SYS_ADMIN:
      return "CAP_SYS_ADMIN";
    case CAP_PERFMON:
      return "CAP_PERFMON";
    case CAP_BPF:
      return "CAP_BPF";
    default:
      return "capability " + std::to_string(capability);
  }
}

}  // namespace

std::string missing_capabilities(std::initializer_list<int> capabilities) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  // Without an answer nothing is known to be missing; the caller's own error stands.
  if (::syscall(SYS_capget, &header, data) != 0) return "";
  std::string missing;
  int count = 0;
  for (int capability : capabilities) {
    const uint32_t word = data[capability / 32].effective;
    if ((word >> (capability % 32)) & 1u) continue;
    if (count++ > 0) missing += " and ";
    missing += capability_name(capability);
  }
  return missing;
}

}  // namespace tailor::common
