#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/profile/generate.h"
#include "common/profile/oci.h"
#include "common/report/report.h"

namespace tailor::common {

// CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
// CLONE_NEWCGROUP and CLONE_NEWTIME: the clone flags that create a namespace. Spelled out
// because older kernel headers lack CLONE_NEWTIME.
inline constexpr uint64_t kNamespaceCloneFlags = 0x7e020080;

// clone's flags are its first argument on the architectures the recorder runs on.
inline constexpr uint32_t kCloneFlagsIndex = 0;

// ENOSYS, which a profile answers clone3 with so that libc retries with clone.
inline constexpr uint32_t kClone3Errno = 38;

// Whether `level` restricts the recorded argument of `name` at all.
bool restricts_arguments(ArgLevel level, std::string_view name);

// The rules that allow `name` when its recorded argument took exactly the values in `arg`
// (complete, of the native architecture), at `level`; nullopt when `name` is allowed by name.
// Every rule allows, except clone3's, which answers ENOSYS (docs/profiles.md).
std::optional<std::vector<SyscallRule>> arg_rules(ArgLevel level, std::string_view name,
                                                  const RecordedArg& arg);

}  // namespace tailor::common
