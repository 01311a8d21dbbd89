#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/util/result.h"
#include "tests/support/process.h"

namespace tailor::testbed {

enum class OciRuntime { kRunc, kCrun };

std::string runtime_name(OciRuntime runtime);

// Why `runtime` cannot run containers here (not root, binary missing, no
// cgroup2), or nullopt when it can. Tests fail with this message: install-deps installs them.
std::optional<std::string> runtime_unavailable(OciRuntime runtime);

struct ContainerSpec {
  OciRuntime runtime = OciRuntime::kRunc;
  std::string id;  // empty: 64 random hex digits, as containerd makes them
  std::vector<std::string> args = {"sleep", "3600"};
  std::vector<std::string> env;
  // cgroupsPath, relative to the cgroup2 root: "/kubepods/besteffort/pod<uid>/<id>".
  std::string cgroup_path;
  // An OCI linux.seccomp object (defaultAction, architectures, syscalls).
  std::optional<nlohmann::json> seccomp;
  // Host files or directories bind-mounted read-only at the same path.
  std::vector<std::string> host_binds;
  // process.noNewPrivileges: decides when the runtime installs the seccomp filter.
  bool no_new_privileges = true;
};

// One runc or crun container on a busybox-static rootfs, in its own bundle
// under `work_dir`. The runtime keeps its state below `work_dir` too, so
// containers of different tests never meet. Destroying the object kills and
// deletes the container.
class OciContainer {
 public:
  // Starts the container detached; its stdout and stderr go to log files.
  static common::Result<std::unique_ptr<OciContainer>> start(ContainerSpec spec,
                                                             const std::string& work_dir);
  // Runs the container to completion and returns its exit code and output.
  static common::Result<testing::ProcessResult> run(
      ContainerSpec spec, const std::string& work_dir,
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

  ~OciContainer();
  OciContainer(const OciContainer&) = delete;
  OciContainer& operator=(const OciContainer&) = delete;

  const std::string& id() const { return spec_.id; }
  const ContainerSpec& spec() const { return spec_; }
  int pid() const { return pid_; }  // host pid of the container's init
  // The runtime's --root: where it keeps this container's state.
  const std::string& state_root() const { return state_root_; }
  // "running", "stopped", ... as `<runtime> state` reports it.
  common::Result<std::string> status() const;
  common::Status kill(int signal = 9);
  // Waits until the container has stopped.
  common::Status wait_stopped(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Kills (if needed) and deletes the container; idempotent.
  common::Status remove();
  // What the container (and the runtime starting it) wrote to stdout and stderr.
  std::string log_text() const;

 private:
  OciContainer(ContainerSpec spec, std::string bundle, std::string state_root);
  // Writes the bundle (rootfs and config.json) for `spec` under `work_dir`.
  static common::Result<std::unique_ptr<OciContainer>> prepare(ContainerSpec spec,
                                                               const std::string& work_dir);
  // Runs the runtime with its state root; output to `log_file` if given.
  common::Result<testing::ProcessResult> runtime_cmd(
      const std::vector<std::string>& args, const std::string& log_file = "",
      std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  std::string log_path() const;

  ContainerSpec spec_;
  std::string bundle_;
  std::string state_root_;
  int pid_ = 0;
  bool removed_ = false;
};

}  // namespace tailor::testbed
