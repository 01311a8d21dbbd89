#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tailor::common {

// `text` without the spaces, tabs and line ends around it: what files of one value (a token,
// a namespace) hold with a trailing newline.
std::string_view trim(std::string_view text);

// "a, b, c": how messages list names.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// The command line a POSIX shell reads back as `argv`: words with only safe characters as
// they are, others in single quotes ("sh -c 'sleep 1 & wait'").
std::string shell_quote(const std::vector<std::string>& argv);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF): nlohmann::json throws when it serialises a string that is not.
bool is_utf8(std::string_view text);

}  // namespace tailor::common
