#include "common/k8s/profile_names.h"

#include <cstdint>
#include <cstdio>

#include "common/k8s/object_names.h"

namespace tailor::common {
namespace {

constexpr std::size_t kMaxNameLength = 63;
constexpr std::size_t kHashDigits = 10;

// FNV-1a: stable across builds and platforms, unlike std::hash.
uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

std::string profile_name(const WorkloadKey& key) {
  // NUL separates the parts: no part can contain it, so distinct keys hash distinct texts.
  const std::string exact =
      key.namespace_name + '\0' + key.kind + '\0' + key.name + '\0' + key.container;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%010llx",
                static_cast<unsigned long long>(fnv1a(exact) & 0xffffffffffull));
  std::string readable = to_dns1123_subdomain(key.namespace_name + "-" + key.kind + "-" + key.name +
                                              "-" + key.container);
  // Dots are valid in a subdomain but not in a label.
  for (char& c : readable)
    if (c == '.') c = '-';
  readable = readable.substr(0, kMaxNameLength - kHashDigits - 1);
  while (!readable.empty() && readable.back() == '-') readable.pop_back();
  return readable.empty() ? suffix : readable + "-" + suffix;
}

std::string spo_localhost_profile(const std::string& namespace_name, const std::string& name) {
  const std::string scope = namespace_name.empty() ? "" : namespace_name + "/";
  return "operator/" + scope + name + ".json";
}

}  // namespace tailor::common
