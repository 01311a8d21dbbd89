#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace tailor::common {

// The one line a usage error is told in, "<what is wrong>; <what to do>", from CLI11's
// error and what `app` parsed before it: the command it happened in, the arguments left over.
std::string usage_error_message(const CLI::App& app, const CLI::ParseError& error,
                                std::string_view program);

}  // namespace tailor::common
