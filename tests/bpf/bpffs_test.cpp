// The recorder on a machine with no bpf filesystem mounted: it mounts one at its pin root.
// Each case runs in a child process with a private mount namespace where /sys/fs/bpf is
// unmounted, so the host's mounts are left as they were.
#include "agent/recorder/bpffs.h"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "agent/recorder/recorder.h"
#include "tests/support/recording.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

bool on_bpffs(const fs::path& path) {
  struct statfs info {};
  return ::statfs(path.c_str(), &info) == 0 && info.f_type == BPF_FS_MAGIC;
}

// Runs `body` in a child with a private mount namespace and no bpffs at /sys/fs/bpf; returns
// "" when it succeeded, else what went wrong.
std::string in_namespace_without_bpffs(const std::function<std::string()>& body) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string failure;
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      failure = "cannot make a private mount namespace";
    while (failure.empty() && on_bpffs("/sys/fs/bpf"))
      if (::umount2("/sys/fs/bpf", MNT_DETACH) != 0) failure = "cannot unmount /sys/fs/bpf";
    if (failure.empty()) failure = body();
    (void)!::write(pipe_fds[1], failure.data(), failure.size());
    ::_exit(failure.empty() ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string said;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) said.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status)) return "child died: " + said;
  return WEXITSTATUS(status) == 0 ? "" : said;
}

class BpffsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) FAIL() << "needs root to mount; run the suite as root";
  }
};

TEST_F(BpffsTest, MountsOneAtSysFsBpfForAPinDirectoryBelowIt) {
  EXPECT_EQ(in_namespace_without_bpffs([]() -> std::string {
              auto mounted = ensure_bpffs("/sys/fs/bpf/tailor-bpffs-test");
              if (!mounted) return mounted.error().message;
              if (*mounted != "/sys/fs/bpf") return "mounted at " + *mounted;
              if (!on_bpffs("/sys/fs/bpf")) return "/sys/fs/bpf is still no bpffs";
              auto again = ensure_bpffs("/sys/fs/bpf/tailor-bpffs-test");
              if (!again || !again->empty()) return "mounted a second time";
              return "";
            }),
            "");
}

TEST_F(BpffsTest, MountsOneAtACustomPinDirectory) {
  const fs::path pins =
      fs::temp_directory_path() / ("tailor-bpffs-" + std::to_string(::getpid())) / "pins";
  EXPECT_EQ(in_namespace_without_bpffs([&]() -> std::string {
              auto mounted = ensure_bpffs(pins);
              if (!mounted) return mounted.error().message;
              if (*mounted != pins.string()) return "mounted at " + *mounted;
              return on_bpffs(pins) ? "" : pins.string() + " is no bpffs";
            }),
            "");
  std::error_code ec;
  fs::remove_all(pins.parent_path(), ec);
}

TEST_F(BpffsTest, TheRecorderPinsOnAMachineWithoutBpffs) {
  TAILOR_REQUIRE_BTF();
  EXPECT_EQ(in_namespace_without_bpffs([]() -> std::string {
              RecorderOptions options;
              options.pin_dir = "/sys/fs/bpf/tailor-bpffs-test-" + std::to_string(::getpid());
              auto recorder = Recorder::open(options);
              if (!recorder) return recorder.error().message;
              if ((*recorder)->mounted_bpffs() != "/sys/fs/bpf")
                return "mounted_bpffs() says '" + (*recorder)->mounted_bpffs() + "'";
              if (!fs::exists(fs::path(options.pin_dir) / "link")) return "the link is not pinned";
              recorder->reset();
              return Recorder::unpin(options.pin_dir).ok() ? "" : "cannot unpin";
            }),
            "");
}

}  // namespace
}  // namespace tailor::agent
