#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tailor::agent {

// tailor(1) in troff (man -l renders it), written from the same definitions as --help: the
// commands with their options, then exit status and environment. docs/cli.md says more.
std::string man_page(const CLI::App& app);

}  // namespace tailor::agent
