#include "agent/commands/output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

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

Terminal Terminal::of(int fd) {
  const char* term = std::getenv("TERM");
  const char* no_color = std::getenv("NO_COLOR");
  Terminal terminal;
  // A dumb terminal moves to the line's start but knows no escape sequences.
  terminal.interactive_ =
      ::isatty(fd) == 1 && !(term != nullptr && std::string_view(term) == "dumb");
  terminal.color_ = terminal.interactive_ && (no_color == nullptr || *no_color == '\0');
  return terminal;
}

std::string_view Terminal::erase_line() const { return interactive_ ? "\r\033[K" : ""; }

std::string Terminal::paint(std::string text, common::Emphasis emphasis) const {
  if (!color_) return text;
  const char* start = "";
  switch (emphasis) {
    case common::Emphasis::heading:
      start = "\033[1m";
      break;  // bold
    case common::Emphasis::warning:
      start = "\033[1;33m";
      break;  // bold yellow
    case common::Emphasis::sensitive:
      start = "\033[31m";
      break;  // red
  }
  const bool newline = !text.empty() && text.back() == '\n';
  if (newline) text.pop_back();
  return start + text + "\033[0m" + (newline ? "\n" : "");
}

common::Painter Terminal::painter() const {
  return [terminal = *this](std::string line, common::Emphasis emphasis) {
    return terminal.paint(std::move(line), emphasis);
  };
}

}  // namespace tailor::agent
