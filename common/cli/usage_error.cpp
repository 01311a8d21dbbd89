#include "common/cli/usage_error.h"

#include <cctype>
#include <vector>

namespace tailor::common {
namespace {

// The command the error happened in: the last subcommand the parser entered.
const CLI::App& innermost(const CLI::App& app) {
  const CLI::App* current = &app;
  for (auto entered = current->get_subcommands(); !entered.empty();
       entered = current->get_subcommands())
    current = entered.back();
  return *current;
}

std::string command_path(const CLI::App& app, std::string_view program) {
  if (app.get_parent() == nullptr) return std::string(program);
  return command_path(*app.get_parent(), program) + " " + app.get_name();
}

// Commands in --help; hidden ones (no group) are left out.
std::string visible_commands(const CLI::App& app) {
  std::string list;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    list += (list.empty() ? "" : ", ") + sub->get_name();
  return list;
}

// CLI11 says "Could not convert: --pid = abc"; which kind of value was wanted is in the
// option's type name ("INT", "UINT", "FLOAT", ...).
std::string conversion_message(const CLI::App& at, const std::string& message) {
  constexpr std::string_view kPrefix = "Could not convert: ";
  const auto separator = message.find(" = ");
  if (!message.starts_with(kPrefix) || separator == std::string::npos) return message;
  const std::string name = message.substr(kPrefix.size(), separator - kPrefix.size());
  const std::string value = message.substr(separator + 3);
  const CLI::Option* option = at.get_option_no_throw(name);
  const std::string type = option ? option->get_type_name() : "";
  const char* wanted = type.starts_with("INT") || type.starts_with("UINT") ? "a whole number"
                       : type.starts_with("FLOAT")                         ? "a number"
                                                                           : "a valid value";
  return name + ": '" + value + "' is not " + wanted;
}

void lower_first_word(std::string& text, std::size_t at) {
  if (text.size() > at + 1 && std::isupper(static_cast<unsigned char>(text[at])) &&
      std::islower(static_cast<unsigned char>(text[at + 1])))
    text[at] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[at])));
}

// CLI11's sentences start with a capital, also after an option's name ("--max-sets: Value 0
// not in range ..."), and may end in a period; ours continue after "tailor: ".
std::string as_clause(std::string message) {
  lower_first_word(message, 0);
  if (const auto colon = message.find(": "); colon != std::string::npos)
    lower_first_word(message, colon + 2);
  while (!message.empty() && (message.back() == '.' || message.back() == '\n')) message.pop_back();
  return message;
}

}  // namespace

std::string usage_error_message(const CLI::App& app, const CLI::ParseError& error,
                                std::string_view program) {
  const CLI::App& at = innermost(app);
  const std::string help = "see '" + command_path(at, program) + " --help'";
  // What no command took, in the order given; "--" only separates.
  std::vector<std::string> left_over;
  for (auto& arg : app.remaining(true))
    if (arg != "--") left_over.push_back(std::move(arg));
  // CLI11's get_name() is the command's name for some errors: ask the type.
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr &&
      at.get_require_subcommand_min() > 0 && at.get_subcommands().empty()) {
    const std::string commands = "the commands are " + visible_commands(at) + " (" + help + ")";
    if (left_over.empty()) return "a command is required; " + commands;
    if (left_over.front().starts_with("-"))
      return "unknown option " + left_over.front() + "; " + help;
    return "unknown command '" + left_over.front() + "'; " + commands;
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr && !left_over.empty()) {
    if (left_over.front().starts_with("-"))
      return "unknown option " + left_over.front() + "; " + help;
    return "unexpected argument '" + left_over.front() + "'; " + help;
  }
  if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr)
    return as_clause(conversion_message(at, error.what())) + "; " + help;
  return as_clause(error.what()) + "; " + help;
}

}  // namespace tailor::common
