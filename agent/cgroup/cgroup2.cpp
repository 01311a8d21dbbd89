#include "agent/cgroup/cgroup2.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/util/capabilities.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using common::errno_text;
using common::make_error;

// mountinfo escapes blanks in paths as octal (\040); cgroup mounts rarely have
// them, but a path must never be misread.
std::string unescape_mount_path(const std::string& raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 3 < raw.size()) {
      out.push_back(static_cast<char>(std::stoi(raw.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(raw[i]);
    }
  }
  return out;
}

Status write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  if (!out) return make_error("cannot write " + path.string() + ": " + errno_text(errno));
  return common::ok_status();
}

}  // namespace

Result<Cgroup2> Cgroup2::detect(const std::string& mountinfo_path) {
  std::ifstream in(mountinfo_path);
  if (!in) return make_error("cannot read " + mountinfo_path + ": is /proc mounted?");
  std::string line;
  while (std::getline(in, line)) {
    // Fields: id parent major:minor root mount-point options... - fstype source super-options
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype == "cgroup2") return Cgroup2(unescape_mount_path(mount_point));
  }
  return make_error(
      "no cgroup2 hierarchy is mounted: mount one (mount -t cgroup2 none /sys/fs/cgroup/unified) "
      "or boot with systemd.unified_cgroup_hierarchy=1");
}

fs::path Cgroup2::absolute(const std::string& cgroup_path) const {
  fs::path rel(cgroup_path);
  return rel.has_root_directory() ? mount_ / rel.relative_path() : mount_ / rel;
}

std::string Cgroup2::relative(const fs::path& absolute_path) const {
  std::string rel = absolute_path.lexically_relative(mount_).generic_string();
  if (rel == ".") return "/";
  return "/" + rel;
}

Result<std::string> Cgroup2::resolve(const std::string& user_path) const {
  for (const auto& part : fs::path(user_path))
    if (part == "..")
      return make_error("cgroup " + user_path + " climbs out with '..': give a path under " +
                        mount_.string());
  std::string text = fs::path(user_path).lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  const std::string mount = mount_.lexically_normal().string();
  std::string relative_path = text;
  if (text == mount || text.rfind(mount + "/", 0) == 0) {
    relative_path = relative(text);
  } else if (text.rfind("/sys/fs/cgroup", 0) == 0) {
    // On a hybrid host /sys/fs/cgroup/<controller>/... are v1 hierarchies BPF cannot see.
    return make_error("cgroup " + user_path + " is not in the cgroup2 hierarchy at " + mount +
                      ": give a path under " + mount + " or relative to it (e.g. /kubepods/...)");
  }
  if (auto id = id_of(relative_path); !id) return id.error();
  return relative(absolute(relative_path));
}

Result<uint64_t> Cgroup2::id_of(const std::string& cgroup_path) const {
  struct stat st {};
  const fs::path path = absolute(cgroup_path);
  if (::stat(path.c_str(), &st) != 0)
    return make_error("cgroup " + cgroup_path + " does not exist under " + mount_.string() + ": " +
                      errno_text(errno));
  if (!S_ISDIR(st.st_mode)) return make_error(path.string() + " is not a cgroup directory");
  return static_cast<uint64_t>(st.st_ino);
}

Result<std::string> Cgroup2::path_of_id(uint64_t id) const {
  // FILEID_KERNFS: what name_to_handle_at gives for a cgroup2 directory.
  constexpr int kKernfsHandleType = 0xfe;
  struct {
    file_handle handle;
    uint64_t id;
  } handle{};
  handle.handle.handle_bytes = sizeof(uint64_t);
  handle.handle.handle_type = kKernfsHandleType;
  handle.id = id;
  const int mount_fd = ::open(mount_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mount_fd < 0) return make_error("cannot open " + mount_.string() + ": " + errno_text(errno));
  const int fd = ::open_by_handle_at(mount_fd, &handle.handle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int open_errno = errno;
  ::close(mount_fd);
  if (fd < 0)
    return make_error("cgroup " + std::to_string(id) +
                      " is gone or unreachable: " + errno_text(open_errno));
  char target[4096];
  const ssize_t length =
      ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof(target) - 1);
  ::close(fd);
  if (length <= 0) return make_error("cannot name cgroup " + std::to_string(id));
  return relative(std::string(target, static_cast<size_t>(length)));
}

Result<std::string> Cgroup2::path_of_pid(pid_t pid) const {
  const std::string file = "/proc/" + std::to_string(pid) + "/cgroup";
  std::ifstream in(file);
  if (!in) return make_error("no process with pid " + std::to_string(pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return make_error("process " + std::to_string(pid) + " has no cgroup2 membership in " + file);
}

Status Cgroup2::create(const std::string& cgroup_path) const {
  std::error_code ec;
  fs::create_directories(absolute(cgroup_path), ec);
  if (!ec) return common::ok_status();
  std::string message =
      "cannot create cgroup " + absolute(cgroup_path).string() + ": " + ec.message();
  if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted) {
    // The cgroup2 tree belongs to root; CAP_DAC_OVERRIDE lets another user write to it.
    const std::string missing = common::missing_capabilities({CAP_DAC_OVERRIDE});
    message += "; run as root, or grant CAP_DAC_OVERRIDE" +
               (missing.empty() ? std::string() : " (this process lacks it)");
  }
  return make_error(message);
}

Status Cgroup2::destroy(const std::string& cgroup_path) const {
  const fs::path root = absolute(cgroup_path);
  std::error_code ec;
  if (!fs::exists(root, ec)) return common::ok_status();
  // cgroup.kill (5.14+) kills the whole subtree at once; older kernels get
  // SIGKILL per listed process.
  if (fs::exists(root / "cgroup.kill")) {
    (void)write_file(root / "cgroup.kill", "1");
  } else {
    std::ifstream procs(root / "cgroup.procs");
    for (pid_t pid; procs >> pid;) ::kill(pid, SIGKILL);
  }
  // Children first: rmdir only succeeds on empty leaves, and processes take a
  // moment to leave after SIGKILL.
  std::vector<fs::path> dirs;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_directory()) dirs.push_back(it->path());
  dirs.push_back(root);
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
    return a.string().size() > b.string().size();
  });
  for (const auto& dir : dirs) {
    for (int attempt = 0; ::rmdir(dir.c_str()) != 0 && errno == EBUSY; ++attempt) {
      if (attempt == 200)
        return make_error("cgroup " + dir.string() + " still busy after killing its processes");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return common::ok_status();
}

}  // namespace tailor::agent
