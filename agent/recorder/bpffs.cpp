#include "agent/recorder/bpffs.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultRoot = "/sys/fs/bpf";

bool below(const fs::path& path, const fs::path& root) {
  const auto [mismatch, _] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch == root.end();
}

}  // namespace

fs::path nearest_existing(fs::path path) {
  std::error_code ec;
  while (!path.empty() && !fs::is_directory(path, ec) && path != path.root_path())
    path = path.parent_path();
  return path.empty() ? fs::path("/") : path;
}

bool on_bpffs(const fs::path& path) {
  struct statfs info {};
  return ::statfs(path.c_str(), &info) == 0 && info.f_type == BPF_FS_MAGIC;
}

common::Result<std::string> ensure_bpffs(const fs::path& pin_dir) {
  const fs::path wanted = fs::absolute(pin_dir).lexically_normal();
  if (on_bpffs(nearest_existing(wanted))) return std::string();
  const fs::path root = below(wanted, kDefaultRoot) ? fs::path(kDefaultRoot) : wanted;
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec)
    return common::make_error("no bpf filesystem holds " + wanted.string() + " and " +
                              root.string() + " cannot be created: " + ec.message());
  if (::mount("bpf", root.c_str(), "bpf", 0, "mode=0700") != 0)
    return common::make_error("no bpf filesystem holds " + wanted.string() +
                              " and mounting one at " + root.string() + " failed (" +
                              common::errno_text() + "): mount it first (mount -t bpf bpf " +
                              root.string() + ") or run with CAP_SYS_ADMIN");
  return root.string();
}

}  // namespace tailor::agent
