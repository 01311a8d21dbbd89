#include "agent/cli/cli_model.h"

#include <algorithm>
#include <cctype>

namespace tailor::agent {
namespace {

std::string capitals(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

OptionModel describe_option(const CLI::Option& option) {
  OptionModel model;
  model.description = option.get_description();
  model.repeatable = option.get_expected_max() > 1;
  if (option.get_positional()) {
    model.value_name = capitals(option.get_name(true));
    return model;
  }
  for (const auto& name : option.get_snames()) model.names.push_back("-" + name);
  for (const auto& name : option.get_lnames()) model.names.push_back("--" + name);
  if (option.get_expected_max() > 0 && !option.get_lnames().empty())
    model.value_name = capitals(option.get_lnames().front());
  return model;
}

}  // namespace

CommandModel describe_command(const CLI::App& app) {
  CommandModel model{
      app.get_parent() == nullptr ? "" : app.get_name(), app.get_description(), {}, {}};
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    auto described = describe_option(*option);
    (option->get_positional() ? model.positionals : model.options).push_back(std::move(described));
  }
  return model;
}

std::vector<CommandModel> describe_subcommands(const CLI::App& app) {
  std::vector<CommandModel> commands;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    commands.push_back(describe_command(*sub));
  return commands;
}

}  // namespace tailor::agent
