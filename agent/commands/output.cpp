#include "agent/commands/output.h"

#include <cstdio>

#include "common/util/file.h"

namespace tailor::agent {

bool is_stdout(const std::string& path) { return path.empty() || path == "-"; }

common::Status write_output(const std::string& path, std::string_view text) {
  if (!is_stdout(path)) return common::write_file_atomically(path, text);
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return common::make_error("cannot write to standard output");
  }
  return common::ok_status();
}

}  // namespace tailor::agent
