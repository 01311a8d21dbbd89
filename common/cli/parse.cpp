#include "common/cli/parse.h"

#include <cstdio>
#include <string>

#include "common/cli/usage_error.h"

namespace tailor::common {

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                      std::string_view program) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& help_or_version) {
    return app.exit(help_or_version);
  } catch (const CLI::ParseError& error) {
    const std::string message = usage_error_message(app, error, program);
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(program.size()), program.data(),
                 message.c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace tailor::common
