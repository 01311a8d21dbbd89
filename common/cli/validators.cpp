#include "common/cli/validators.h"

namespace tailor::common {

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(input, value)) return "'" + input + "' is not a number";
        if (!(value > 0)) return "must be greater than 0, not " + input;
        return "";
      },
      "POSITIVE", "POSITIVE");
}

}  // namespace tailor::common
