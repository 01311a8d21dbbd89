#include "common/syscalls/arch.h"

#include <seccomp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include "common/util/strings.h"
#include "tailor/bpf/abi.h"

namespace tailor::common {
namespace {

constexpr std::string_view kOciPrefix = "SCMP_ARCH_";

// Every token some libseccomp release accepts. libseccomp can resolve a token but not list
// them, so this list is the candidates and known_arches() keeps those the linked one knows.
constexpr std::array<std::string_view, 23> kCandidateTokens = {
    "x86",    "x86_64",  "x32",      "arm",       "aarch64",     "loongarch64", "m68k",     "mips",
    "mipsel", "mips64",  "mipsel64", "mips64n32", "mipsel64n32", "parisc",      "parisc64", "ppc",
    "ppc64",  "ppc64le", "s390",     "s390x",     "riscv64",     "sh",          "sheb"};

// The syscall tables of the hosts the recorder runs on, indexed by enum tailor_abi.
struct AbiArches {
  std::string_view native;
  std::array<std::string_view, TAILOR_ABI_COUNT> by_abi;
};
constexpr std::array<AbiArches, 2> kAbiArches = {{
    {"x86_64", {"x86_64", "x86", "x32"}},
    {"aarch64", {"aarch64", "arm", ""}},
}};

// `text` with each character mapped by `to` (::toupper, ::tolower).
std::string mapped(std::string_view text, int (*to)(int)) {
  std::string out;
  for (char c : text) out += static_cast<char>(to(static_cast<unsigned char>(c)));
  return out;
}

// Lists the valid names in the form the user wrote, so the fix can be copied from the message.
Error unknown_arch(std::string_view what) {
  std::vector<std::string> valid = known_arches();
  if (what.starts_with(kOciPrefix)) {
    for (auto& token : valid) token = std::string(kOciPrefix) + mapped(token, ::toupper);
  }
  return make_error("unknown architecture \"" + std::string(what) + "\"; this libseccomp knows " +
                    join(valid));
}

}  // namespace

std::vector<std::string> known_arches() {
  std::vector<std::string> out;
  for (std::string_view token : kCandidateTokens) {
    if (is_known_arch(token)) out.emplace_back(token);
  }
  return out;
}

bool is_known_arch(std::string_view token) {
  // libseccomp wants a C string; copy rather than trust the view's termination.
  return seccomp_arch_resolve_name(std::string(token).c_str()) != 0;
}

const std::string& native_arch() {
  static const std::string native = [] {
    const uint32_t value = seccomp_arch_native();
    for (std::string_view token : kCandidateTokens) {
      if (seccomp_arch_resolve_name(std::string(token).c_str()) == value) {
        return std::string(token);
      }
    }
    throw std::logic_error("libseccomp's native architecture is missing from kCandidateTokens");
  }();
  return native;
}

Result<uint32_t> seccomp_arch_value(std::string_view token) {
  const uint32_t value = seccomp_arch_resolve_name(std::string(token).c_str());
  if (value == 0) return unknown_arch(token);
  return value;
}

Result<std::string> arch_for_abi(std::string_view native, uint32_t abi) {
  if (abi >= TAILOR_ABI_COUNT) {
    return make_error("unknown recorder ABI class " + std::to_string(abi) +
                      "; the recorder and this tailor do not match");
  }
  const auto host = std::find_if(kAbiArches.begin(), kAbiArches.end(),
                                 [&](const AbiArches& entry) { return entry.native == native; });
  if (host == kAbiArches.end()) {
    return make_error("the recorder does not support " + std::string(native) +
                      " hosts; it runs on x86_64 and aarch64");
  }
  if (host->by_abi[abi].empty()) {
    return make_error(std::string(native) + " has no syscall table for recorder ABI class " +
                      std::to_string(abi));
  }
  return std::string(host->by_abi[abi]);
}

Result<std::string> oci_arch_name(std::string_view token) {
  if (!is_known_arch(token)) return unknown_arch(token);
  return std::string(kOciPrefix) + mapped(token, ::toupper);
}

Result<std::string> arch_from_oci_name(std::string_view oci_name) {
  if (!oci_name.starts_with(kOciPrefix)) return unknown_arch(oci_name);
  std::string token = mapped(oci_name.substr(kOciPrefix.size()), ::tolower);
  if (!is_known_arch(token)) return unknown_arch(oci_name);
  return token;
}

Result<std::string> parse_arch(std::string_view text) {
  if (text.starts_with(kOciPrefix)) return arch_from_oci_name(text);
  if (!is_known_arch(text)) return unknown_arch(text);
  return std::string(text);
}

}  // namespace tailor::common
