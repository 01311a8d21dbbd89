#include "agent/report/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/util/file.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".json";
constexpr std::size_t kIdDigits = 20;
constexpr std::string_view kCorruptDir = "corrupt";
// Files kept in corrupt/ for a person to look at; older ones are deleted.
constexpr std::size_t kCorruptKept = 16;

// The id in a batch file's name ("00000000000000000042.json"), or nullopt for other names.
std::optional<uint64_t> batch_id(const std::string& name) {
  if (name.size() != kIdDigits + kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  uint64_t id = 0;
  for (std::size_t i = 0; i < kIdDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    id = id * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return id;
}

// write_file_atomically names its temporaries ".<name>.tmp-<pid>-<random>".
bool is_leftover_temporary(const std::string& name) {
  return name.starts_with('.') && name.find(".tmp-") != std::string::npos;
}

common::Error io_error(std::string_view what, const std::string& path, std::error_code error) {
  return common::make_error("spool: cannot " + std::string(what) + " " + path + ": " +
                            error.message());
}

}  // namespace

common::Result<std::unique_ptr<Spool>> Spool::open(const std::string& directory,
                                                   SpoolLimits limits) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return io_error("create", directory, error);
  // The directory's own descriptor carries the lock and is what fsync makes renames durable on.
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open", directory, {errno, std::generic_category()});
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int flock_errno = errno;
    ::close(fd);
    if (flock_errno == EWOULDBLOCK) {
      return common::make_error("spool " + directory +
                                " is in use by another agent; one agent per node may use it");
    }
    return io_error("lock", directory, {flock_errno, std::generic_category()});
  }
  std::unique_ptr<Spool> spool(new Spool(directory, limits, fd));
  if (auto scanned = spool->scan(); !scanned.ok()) return scanned.error();
  return spool;
}

Spool::Spool(std::string directory, SpoolLimits limits, int lock_fd)
    : directory_(std::move(directory)), limits_(limits), lock_fd_(lock_fd) {}

Spool::~Spool() { ::close(lock_fd_); }

common::Status Spool::scan() {
  std::error_code error;
  std::vector<std::string> names;
  for (fs::directory_iterator it(directory_, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) names.push_back(it->path().filename().string());
  }
  if (error) return io_error("list", directory_, error);
  std::sort(names.begin(), names.end());

  for (const auto& name : names) {
    if (is_leftover_temporary(name)) {
      fs::remove(fs::path(directory_) / name, error);
      continue;
    }
    const auto id = batch_id(name);
    if (!id) continue;  // not ours
    next_id_ = std::max(next_id_, *id + 1);
    const auto text = common::read_file(path_of(*id));
    const auto delta = common::decode_delta(text.ok() ? *text : std::string());
    if (!delta.ok()) {
      move_aside(name);
      continue;
    }
    entries_.push_back({*id, delta->agent.id, delta->seq, text->size()});
    bytes_ += text->size();
  }
  // Limits may have been lowered since the files were written.
  while (entries_.size() > limits_.max_files || bytes_ > limits_.max_bytes) {
    if (auto dropped = drop_oldest(); !dropped.ok()) return dropped;
  }
  return common::ok_status();
}

common::Result<std::vector<SpoolEntry>> Spool::append(const common::Delta& delta) {
  const std::string body = common::encode_delta(delta);
  if (body.size() > limits_.max_bytes || limits_.max_files == 0) {
    return common::make_error("spool: a batch of " + std::to_string(body.size()) +
                              " bytes does not fit in max_bytes " +
                              std::to_string(limits_.max_bytes) + "; raise the spool limit");
  }
  std::vector<SpoolEntry> dropped;
  while (entries_.size() + 1 > limits_.max_files || bytes_ + body.size() > limits_.max_bytes) {
    dropped.push_back(entries_.front());
    if (auto removed = drop_oldest(); !removed.ok()) return removed.error();
  }
  const SpoolEntry entry{next_id_, delta.agent.id, delta.seq, body.size()};
  if (auto written = common::write_file_atomically(path_of(entry.id), body); !written.ok()) {
    return common::make_error("spool: " + written.error().message);
  }
  if (::fsync(lock_fd_) != 0) return io_error("sync", directory_, {errno, std::generic_category()});
  ++next_id_;
  entries_.push_back(entry);
  bytes_ += entry.bytes;
  return dropped;
}

common::Result<std::string> Spool::read(const SpoolEntry& entry) {
  auto text = common::read_file(path_of(entry.id));
  if (text.ok()) return text;
  const auto found = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const SpoolEntry& e) { return e.id == entry.id; });
  if (found != entries_.end()) {
    bytes_ -= found->bytes;
    entries_.erase(found);
  }
  move_aside(fs::path(path_of(entry.id)).filename().string());
  return common::make_error("spool: " + text.error().message);
}

common::Status Spool::remove(uint64_t id) {
  const auto found = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const SpoolEntry& e) { return e.id == id; });
  if (found == entries_.end()) return common::ok_status();
  std::error_code error;
  fs::remove(path_of(id), error);
  if (error) return io_error("remove", path_of(id), error);
  bytes_ -= found->bytes;
  entries_.erase(found);
  return common::ok_status();
}

std::string Spool::path_of(uint64_t id) const {
  char name[kIdDigits + 1];
  std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(id));
  return (fs::path(directory_) / (std::string(name) + std::string(kSuffix))).string();
}

// Counted even when the move fails: the batch is lost to delivery either way.
void Spool::move_aside(const std::string& name) {
  ++corrupt_;
  const fs::path aside = fs::path(directory_) / kCorruptDir;
  std::error_code error;
  fs::create_directories(aside, error);
  fs::rename(fs::path(directory_) / name, aside / name, error);
  if (error) fs::remove(fs::path(directory_) / name, error);

  std::vector<fs::path> kept;
  for (fs::directory_iterator it(aside, error), end; !error && it != end; it.increment(error)) {
    kept.push_back(it->path());
  }
  std::sort(kept.begin(), kept.end());
  for (std::size_t i = 0; i + kCorruptKept < kept.size(); ++i) fs::remove(kept[i], error);
}

common::Status Spool::drop_oldest() {
  const SpoolEntry oldest = entries_.front();
  std::error_code error;
  fs::remove(path_of(oldest.id), error);
  if (error) return io_error("remove", path_of(oldest.id), error);
  entries_.pop_front();
  bytes_ -= oldest.bytes;
  ++dropped_;
  return common::ok_status();
}

}  // namespace tailor::agent
