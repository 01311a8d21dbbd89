#include "common/cli/version.h"

namespace tailor::common {

std::string_view tailor_version() { return TAILOR_VERSION; }

std::string version_line(std::string_view program) {
  return std::string(program) + " " + std::string(tailor_version()) + " (git " +
         std::string(TAILOR_GIT_REVISION) + ")";
}

void add_version_flags(CLI::App& app, std::string_view program) {
  app.set_version_flag("--version", version_line(program), "Print the version and exit");
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    add_version_flags(*sub, program);
}

}  // namespace tailor::common
