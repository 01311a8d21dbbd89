#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace tailor::common {

// Tailor names architectures by libseccomp's tokens ("x86_64", "x86", "x32", "aarch64", "arm")
// everywhere except in seccomp profiles, which use the OCI names ("SCMP_ARCH_X86_64").

// The tokens the linked libseccomp accepts; older releases know fewer architectures.
std::vector<std::string> known_arches();
bool is_known_arch(std::string_view token);

// The host's native architecture.
const std::string& native_arch();

// libseccomp's SCMP_ARCH_* value, for calls into libseccomp.
Result<uint32_t> seccomp_arch_value(std::string_view token);

// The architecture whose syscall table a recorder ABI class (enum tailor_abi in
// bpf/include/tailor/bpf/abi.h) stands for on a host whose native architecture is `native`:
// on x86_64 compat is x86 and x32 is x32, on aarch64 compat is arm.
Result<std::string> arch_for_abi(std::string_view native, uint32_t abi);

// OCI names are "SCMP_ARCH_" and the upper-cased token.
Result<std::string> oci_arch_name(std::string_view token);
Result<std::string> arch_from_oci_name(std::string_view oci_name);

// What a user may type: a token or an OCI name. Returns the token.
Result<std::string> parse_arch(std::string_view text);

}  // namespace tailor::common
