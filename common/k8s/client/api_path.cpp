#include "common/k8s/client/api_path.h"

#include <cctype>

namespace tailor::common {
namespace {

std::string percent_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string api_path(const std::string& api_version, const std::string& plural,
                     const std::string& ns, const std::string& name) {
  // The core group lives under /api, every other group under /apis.
  std::string path = api_version.find('/') == std::string::npos ? "/api/" : "/apis/";
  path += api_version;
  if (!ns.empty()) path += "/namespaces/" + ns;
  path += "/" + plural;
  if (!name.empty()) path += "/" + name;
  return path;
}

std::string with_query(const std::string& path, const Query& query) {
  std::string out = path;
  char separator = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : query) {
    out += separator + percent_encode(key) + "=" + percent_encode(value);
    separator = '&';
  }
  return out;
}

}  // namespace tailor::common
