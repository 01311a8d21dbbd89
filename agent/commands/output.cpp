#include "agent/commands/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/util/file.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

common::Error cannot_write(const std::string& path, int error_number) {
  return common::make_error("cannot write " + path + ": " + common::errno_text(error_number));
}

// A fresh file in $TMPDIR named after `path`, to hold what could not go there.
common::Result<std::string> fallback_path(const std::string& path) {
  const char* tmpdir = std::getenv("TMPDIR");
  const fs::path dir = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  std::string name = (dir / ("tailor-XXXXXX-" + fs::path(path).filename().string())).string();
  const int suffix = static_cast<int>(name.size() - (name.rfind("XXXXXX") + 6));
  const int fd = ::mkstemps(name.data(), suffix);
  if (fd < 0) return cannot_write(dir.string(), errno);
  ::close(fd);
  return name;
}

}  // namespace

bool is_stdout(const std::string& path) { return path.empty() || path == "-"; }

common::Status write_output(const std::string& path, std::string_view text) {
  if (!is_stdout(path)) return common::write_file_atomically(path, text);
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return common::make_error("cannot write to standard output");
  }
  return common::ok_status();
}

int write_or_fail(const std::string& path, std::string_view text, int failure) {
  if (auto written = write_output(path, text); !written) return fail(written.error(), failure);
  return 0;
}

common::Status check_writable(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return cannot_write(path, EISDIR);
  const fs::path dir = fs::path(path).parent_path();
  const std::string probe =
      ((dir.empty() ? fs::path(".") : dir) / (".tailor-probe-" + std::to_string(::getpid())))
          .string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return cannot_write(path, errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return common::ok_status();
}

common::Status save_report(const std::string& path, const common::Report& report) {
  auto written = common::write_report_file(path, report);
  if (written.ok()) return written;
  auto fallback = fallback_path(path);
  if (!fallback.ok()) return common::make_error(written.error().message + "; the report is lost");
  if (auto saved = common::write_report_file(*fallback, report); !saved.ok()) {
    ::unlink(fallback->c_str());
    return common::make_error(written.error().message + "; the report is lost");
  }
  return common::make_error(written.error().message + "; the report was saved to " + *fallback +
                            " instead");
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
