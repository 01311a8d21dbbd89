#include "common/util/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>
#include <sstream>
#include <system_error>

namespace tailor::common {
namespace {

Error io_error(std::string_view verb, const std::string& path, int error_number) {
  return make_error("cannot " + std::string(verb) + " " + path + ": " +
                    std::generic_category().message(error_number));
}

// O_EXCL with a random name rather than mkstemp, whose 0600 mode would survive the rename.
Result<std::pair<int, std::string>> create_temporary_beside(const std::string& path) {
  const std::filesystem::path target(path);
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::ostringstream name;
    name << "." << target.filename().string() << ".tmp-" << ::getpid() << "-" << std::hex
         << random();
    const std::string temporary = (target.parent_path() / name.str()).string();
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return std::pair{fd, temporary};
    if (errno != EEXIST) return io_error("write", path, errno);
  }
  return io_error("write", path, EEXIST);
}

// Returns 0 or the errno of the failed write.
int write_all(int fd, std::string_view contents) {
  while (!contents.empty()) {
    const ssize_t written = ::write(fd, contents.data(), contents.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return errno;
    contents.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view contents) {
  auto created = create_temporary_beside(path);
  if (!created.ok()) return created.error();
  const auto [fd, temporary] = *created;

  // fsync before rename: otherwise a crash can leave the new name pointing at an empty file.
  int failure = write_all(fd, contents);
  if (failure == 0 && ::fsync(fd) != 0) failure = errno;
  if (::close(fd) != 0 && failure == 0) failure = errno;
  if (failure == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) failure = errno;
  if (failure != 0) {
    ::unlink(temporary.c_str());
    return io_error("write", path, failure);
  }
  return ok_status();
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("read", path, errno);
  std::string contents;
  char buffer[65536];
  int failure = 0;
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) failure = errno;
    if (got <= 0) break;
    if (contents.size() + static_cast<std::size_t>(got) > max_bytes) {
      ::close(fd);
      return make_error("cannot read " + path + ": it is larger than " +
                        std::to_string(max_bytes >> 20) +
                        " MiB, far more than any file tailor reads; is it the right file?");
    }
    contents.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  if (failure != 0) return io_error("read", path, failure);
  return contents;
}

}  // namespace tailor::common
