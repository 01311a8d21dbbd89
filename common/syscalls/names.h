#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace tailor::common {

// Syscall names and numbers come from libseccomp alone, so they match the filters it builds.
// Numbers are as the recorder reports them: x32 numbers without __X32_SYSCALL_BIT.
// Both return an Error only for an architecture libseccomp does not know.

// nullopt: libseccomp knows no syscall with this number on `arch`.
Result<std::optional<std::string>> syscall_name(std::string_view arch, uint32_t nr);

// nullopt: `arch` has no syscall of that name (open on aarch64) or libseccomp knows none.
Result<std::optional<uint32_t>> syscall_number(std::string_view arch, std::string_view name);

// Whether any of `arches` (tokens) has a syscall of that name.
bool syscall_exists_on_any(const std::vector<std::string>& arches, std::string_view name);

// The number (with the architecture) is a syscall's identity; a name is only its spelling. An
// error unless libseccomp knows `nr` on `arch` by exactly the name `claimed`.
Status check_syscall_name(std::string_view arch, uint32_t nr, std::string_view claimed);

// "2.5.4": names come and go with libseccomp releases, so messages about them say which.
std::string libseccomp_version();

}  // namespace tailor::common
