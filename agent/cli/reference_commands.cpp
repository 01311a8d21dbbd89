#include "agent/cli/reference_commands.h"

#include <memory>
#include <string>

#include "agent/commands/output.h"

namespace tailor::agent {

void add_reference_commands(CLI::App& app, CommandChoice& choice) {
  auto shell = std::make_shared<std::string>();
  CLI::App* completion = app.add_subcommand("completion", "Print a shell completion script");
  completion->group("");
  completion->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([shell, &app, &choice] {
    choice.run = [shell, &app] {
      return write_or_fail("", *shell == "bash" ? bash_completion(app) : zsh_completion(app));
    };
  });
  CLI::App* man = app.add_subcommand("man", "Print the tailor(1) man page (troff)");
  man->group("");
  man->callback(
      [&app, &choice] { choice.run = [&app] { return write_or_fail("", man_page(app)); }; });
}

}  // namespace tailor::agent
