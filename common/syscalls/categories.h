#pragma once

#include <span>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// A rough grouping of syscalls so a person can read a report by area. Security-sensitive
// calls are a group of their own, whatever area they belong to, so they stand out.
enum class Category { file, network, process, memory, ipc, time, security_sensitive, other };

// In display order.
std::span<const Category> all_categories();

// "file", ..., "security-sensitive", "other".
std::string_view category_name(Category category);
Result<Category> parse_category(std::string_view name);

// Names come from libseccomp; one no group lists, including a name unknown today, is other.
Category category_of(std::string_view syscall);

// Calls that act beyond the calling container (mounts, kernel modules, other processes'
// memory, the host clock) or widen the kernel's attack surface. Docker's default profile
// denies them or allows them only with a capability.
bool is_security_sensitive(std::string_view syscall);

// Why a security-sensitive call is one, in a line; empty for the others.
std::string_view sensitivity_reason(std::string_view syscall);

}  // namespace tailor::common
