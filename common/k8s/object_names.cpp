#include "common/k8s/object_names.h"

#include <cctype>
#include <regex>

namespace tailor::common {
namespace {

constexpr std::size_t kMaxSubdomain = 253;
constexpr std::size_t kMaxLabel = 63;

// The patterns and wording of k8s.io/apimachinery/pkg/util/validation.
const char* const kLabelPattern = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* const kSubdomainPattern =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* const kQualifiedPattern = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

Status check(std::string_view text, std::string_view what, const char* pattern,
             std::size_t max_size, std::string_view rule) {
  const std::regex re(pattern);
  const std::string value(text);
  if (value.size() <= max_size && std::regex_match(value, re)) return ok_status();
  return make_error("invalid " + std::string(what) + " \"" + value + "\": " + std::string(rule) +
                    " of at most " + std::to_string(max_size) + " characters (regex " + pattern +
                    ")");
}

}  // namespace

Status check_dns1123_subdomain(std::string_view text, std::string_view what) {
  return check(text, what, kSubdomainPattern, kMaxSubdomain,
               "must be lower case alphanumerics, '-' or '.', starting and ending with an "
               "alphanumeric,");
}

Status check_dns1123_label(std::string_view text, std::string_view what) {
  return check(text, what, kLabelPattern, kMaxLabel,
               "must be lower case alphanumerics or '-', starting and ending with an "
               "alphanumeric,");
}

Status check_qualified_name(std::string_view text, std::string_view what) {
  const auto slash = text.find('/');
  if (slash != std::string_view::npos) {
    if (auto prefix = check_dns1123_subdomain(text.substr(0, slash), std::string(what) + " prefix");
        !prefix.ok()) {
      return prefix;
    }
    text = text.substr(slash + 1);
  }
  return check(text, what, kQualifiedPattern, kMaxLabel,
               "must be alphanumerics, '-', '_' or '.', starting and ending with an "
               "alphanumeric, after an optional DNS subdomain prefix and '/',");
}

Status check_label_value(std::string_view text, std::string_view what) {
  if (text.empty()) return ok_status();
  return check(text, what, kQualifiedPattern, kMaxLabel,
               "must be alphanumerics, '-', '_' or '.', starting and ending with an "
               "alphanumeric,");
}

std::string to_dns1123_subdomain(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const char mapped =
        std::isalnum(u) ? static_cast<char>(std::tolower(u)) : (c == '.' ? '.' : '-');
    const bool separator = mapped == '-' || mapped == '.';
    // A separator after a separator would make an empty label or a run of dashes.
    if (separator && (out.empty() || out.back() == '-' || out.back() == '.')) continue;
    out.push_back(mapped);
  }
  if (out.size() > kMaxSubdomain) out.resize(kMaxSubdomain);
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  return out;
}

}  // namespace tailor::common
