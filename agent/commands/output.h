#pragma once

#include <string>
#include <string_view>

#include "agent/cli/command.h"
#include "common/report/report.h"
#include "common/report/table.h"
#include "common/util/result.h"

namespace tailor::agent {

// Writes a command's document to `path`, or to standard output for "" or "-". A file is
// replaced atomically, so a failed command never leaves a partial one behind.
common::Status write_output(const std::string& path, std::string_view text);

// write_output for a command's run: 0 once written, else the error printed and `failure`.
int write_or_fail(const std::string& path, std::string_view text, int failure = kExitFailure);

// Whether write_output sends to standard output, where summaries must not go.
bool is_stdout(const std::string& path);

// Fails when a file cannot be written at `path` (no such directory, read-only, not a
// directory), found by creating and removing a file beside it: a command that records learns
// it before the workload runs, not after.
common::Status check_writable(const std::string& path);

// Writes a report a workload's run went into. When `path` cannot be written after all, the
// report is saved in $TMPDIR (else /tmp) and the error says where, so the recording survives.
common::Status save_report(const std::string& path, const common::Report& report);

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
