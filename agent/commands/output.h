#pragma once

#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::agent {

// Writes a command's document to `path`, or to standard output for "" or "-". A file is
// replaced atomically, so a failed command never leaves a partial one behind.
common::Status write_output(const std::string& path, std::string_view text);

// Whether write_output sends to standard output, where summaries must not go.
bool is_stdout(const std::string& path);

}  // namespace tailor::agent
