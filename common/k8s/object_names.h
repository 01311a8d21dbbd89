#pragma once

#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// The API server's rules for names in ObjectMeta, checked before an object leaves Tailor so a
// user hears about a bad name from Tailor and not from `kubectl apply`. Errors name `what`
// ("name", "namespace", "label key") and quote the offending text.

// metadata.name of most kinds: a lowercase RFC 1123 subdomain, at most 253 characters.
Status check_dns1123_subdomain(std::string_view text, std::string_view what);
// metadata.namespace: a lowercase RFC 1123 label, at most 63 characters.
Status check_dns1123_label(std::string_view text, std::string_view what);
// Label and annotation keys: an optional DNS subdomain prefix and "/", then a name of at
// most 63 alphanumerics, '-', '_' or '.'.
Status check_qualified_name(std::string_view text, std::string_view what);
// Label values: empty, or at most 63 alphanumerics, '-', '_' or '.' between alphanumerics.
Status check_label_value(std::string_view text, std::string_view what);

// The closest valid subdomain: lower-cased, other characters turned into '-', runs of '-'
// collapsed, trimmed to start and end with an alphanumeric. Empty when nothing is left.
std::string to_dns1123_subdomain(std::string_view text);

}  // namespace tailor::common
