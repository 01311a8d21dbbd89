#pragma once

#include <string>
#include <string_view>

#include "common/report/table.h"
#include "common/util/result.h"

namespace tailor::agent {

// Writes a command's document to `path`, or to standard output for "" or "-". A file is
// replaced atomically, so a failed command never leaves a partial one behind.
common::Status write_output(const std::string& path, std::string_view text);

// Whether write_output sends to standard output, where summaries must not go.
bool is_stdout(const std::string& path);

// How to write for a person who may be watching a stream: lines rewritten in place (a
// progress line) only on a terminal, colour only on a terminal and without NO_COLOR
// (no-color.org). Pipes and log files get plain lines.
class Terminal {
 public:
  // Looks at the file descriptor, $TERM and $NO_COLOR.
  static Terminal of(int fd);

  bool interactive() const { return interactive_; }
  // What moves to the start of the line and erases it: "\r\033[K" on a terminal, else "".
  std::string_view erase_line() const;
  // `text` in the colour for `emphasis` when colour is on, unchanged otherwise; a final
  // newline stays outside the colour.
  std::string paint(std::string text, common::Emphasis emphasis) const;
  // paint() for common::render_table.
  common::Painter painter() const;

 private:
  bool interactive_ = false;
  bool color_ = false;
};

}  // namespace tailor::agent
