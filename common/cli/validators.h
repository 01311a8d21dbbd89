#pragma once

#include <CLI/CLI.hpp>

namespace tailor::common {

// A number greater than zero. CLI::PositiveNumber says "Value 0 not in range 0.000000 to
// 17976931348623157...": this one says "must be greater than 0, not 0".
CLI::Validator positive_number();

}  // namespace tailor::common
