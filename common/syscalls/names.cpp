#include "common/syscalls/names.h"

#include <seccomp.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "common/syscalls/arch.h"
#include "tailor/bpf/abi.h"

namespace tailor::common {
namespace {

// libseccomp adds the x32 marker bit to x32 numbers; the recorder and reports leave it out.
constexpr uint32_t kX32SyscallBit = 0x40000000;

std::optional<std::string> name_of(uint32_t arch, uint32_t nr) {
  const std::unique_ptr<char, decltype(&std::free)> name(
      seccomp_syscall_resolve_num_arch(arch, static_cast<int>(nr)), &std::free);
  if (name == nullptr) return std::nullopt;
  return std::string(name.get());
}

// On x86, ppc and s390 libseccomp answers the socket and SysV IPC names with a pseudo-number,
// because older kernels reach them only through socketcall/ipc, although these arches also
// give them numbers of their own. Those are found by walking the arch's table; the recorder
// never reports a number past TAILOR_MAX_SYSCALLS, so neither does this walk.
std::optional<uint32_t> direct_number_of_multiplexed(uint32_t arch, const std::string& name) {
  if (seccomp_syscall_resolve_name_rewrite(arch, name.c_str()) < 0) return std::nullopt;
  for (uint32_t nr = 0; nr < TAILOR_MAX_SYSCALLS; ++nr) {
    if (name_of(arch, nr) == name) return nr;
  }
  return std::nullopt;
}

// Every name of one architecture below TAILOR_MAX_SYSCALLS, read from libseccomp once: a
// lookup is on the aggregator's ingest path, and libseccomp's is a scan that allocates.
using NameTable = std::vector<std::optional<std::string>>;

const NameTable& names_of(uint32_t arch) {
  static std::mutex mu;
  static std::map<uint32_t, NameTable> tables;
  std::lock_guard lock(mu);
  auto [entry, added] = tables.try_emplace(arch);
  if (added)
    for (uint32_t nr = 0; nr < TAILOR_MAX_SYSCALLS; ++nr)
      entry->second.push_back(name_of(arch, nr));
  return entry->second;
}

}  // namespace

Result<std::optional<std::string>> syscall_name(std::string_view arch, uint32_t nr) {
  const auto value = seccomp_arch_value(arch);
  if (!value.ok()) return value.error();
  if (nr < TAILOR_MAX_SYSCALLS) return names_of(*value)[nr];
  return name_of(*value, nr);
}

bool syscall_exists_on_any(const std::vector<std::string>& arches, std::string_view name) {
  return std::any_of(arches.begin(), arches.end(), [&](const std::string& arch) {
    const auto nr = syscall_number(arch, name);
    return nr.ok() && nr->has_value();
  });
}

Status check_syscall_name(std::string_view arch, uint32_t nr, std::string_view claimed) {
  const auto known = syscall_name(arch, nr);
  if (!known.ok()) return known.error();
  if (*known && **known == claimed) return ok_status();
  const std::string what = "syscall " + std::to_string(nr) + " on " + std::string(arch);
  if (!*known)
    return make_error("libseccomp " + libseccomp_version() + " knows no " + what +
                      (claimed.empty() ? "" : " (named \"" + std::string(claimed) + "\" here)"));
  return make_error("the name \"" + std::string(claimed) + "\" does not match " + what +
                    ", which is " + **known + ": the number is what counts");
}

Result<std::optional<uint32_t>> syscall_number(std::string_view arch, std::string_view name) {
  const auto value = seccomp_arch_value(arch);
  if (!value.ok()) return value.error();
  const std::string name_string(name);
  const int nr = seccomp_syscall_resolve_name_arch(*value, name_string.c_str());
  // Negative: no syscall of this arch by that name (-1 when libseccomp knows the name on no
  // arch, a pseudo-number otherwise).
  if (nr < 0) return direct_number_of_multiplexed(*value, name_string);
  const auto number = static_cast<uint32_t>(nr);
  return std::optional(arch == "x32" ? number & ~kX32SyscallBit : number);
}

std::string libseccomp_version() {
  const scmp_version* version = seccomp_version();
  return std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
         std::to_string(version->micro);
}

}  // namespace tailor::common
