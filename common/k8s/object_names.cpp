#include "common/k8s/object_names.h"

#include <algorithm>
#include <cctype>

namespace tailor::common {
namespace {

constexpr std::size_t kMaxSubdomain = 253;
constexpr std::size_t kMaxLabel = 63;

// The patterns and wording of k8s.io/apimachinery/pkg/util/validation.
const char* const kLabelPattern = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* const kSubdomainPattern =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* const kQualifiedPattern = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

// Matchers equal to the patterns above (tests/common/k8s/object_names_test.cpp compares them
// with std::regex), by hand: a std::regex is compiled per pattern and locale-aware, which made
// building the names of one SeccompProfile cost more than the aggregator's whole ingest of a
// batch.
bool is_label(std::string_view text) {
  if (text.empty() || !lower_alnum(text.front()) || !lower_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return lower_alnum(c) || c == '-'; });
}

bool is_subdomain(std::string_view text) {
  for (std::size_t start = 0;;) {
    const std::size_t dot = text.find('.', start);
    if (!is_label(text.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_qualified(std::string_view text) {
  if (text.empty() || !alnum(text.front()) || !alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

Status check(std::string_view text, std::string_view what, bool (*matches)(std::string_view),
             const char* pattern, std::size_t max_size, std::string_view rule) {
  if (text.size() <= max_size && matches(text)) return ok_status();
  return make_error("invalid " + std::string(what) + " \"" + std::string(text) +
                    "\": " + std::string(rule) + " of at most " + std::to_string(max_size) +
                    " characters (regex " + pattern + ")");
}

}  // namespace

Status check_dns1123_subdomain(std::string_view text, std::string_view what) {
  return check(text, what, is_subdomain, kSubdomainPattern, kMaxSubdomain,
               "must be lower case alphanumerics, '-' or '.', starting and ending with an "
               "alphanumeric,");
}

Status check_dns1123_label(std::string_view text, std::string_view what) {
  return check(text, what, is_label, kLabelPattern, kMaxLabel,
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
  return check(text, what, is_qualified, kQualifiedPattern, kMaxLabel,
               "must be alphanumerics, '-', '_' or '.', starting and ending with an "
               "alphanumeric, after an optional DNS subdomain prefix and '/',");
}

Status check_label_value(std::string_view text, std::string_view what) {
  if (text.empty()) return ok_status();
  return check(text, what, is_qualified, kQualifiedPattern, kMaxLabel,
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
