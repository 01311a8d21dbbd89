#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tailor::common {

// "a, b, c": how messages list names.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace tailor::common
