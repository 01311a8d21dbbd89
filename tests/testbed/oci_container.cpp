#include "tests/testbed/oci_container.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/testbed/cgroup_layout.h"
#include "tests/testbed/tls_material.h"
#include "tests/testbed/uid.h"

namespace tailor::testbed {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kBusybox = "/bin/busybox";

const json kCapabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

// crun refuses a hybrid hierarchy, so on such hosts each crun command runs in
// a private mount namespace where cgroup2 is mounted on /sys/fs/cgroup.
bool hybrid_host() {
  auto mount = cgroup2_mount();
  return mount && *mount != "/sys/fs/cgroup";
}

common::Status build_rootfs(const fs::path& rootfs, const std::vector<std::string>& host_binds) {
  std::error_code ec;
  for (const char* d : {"bin", "proc", "dev", "sys", "tmp", "etc"})
    fs::create_directories(rootfs / d, ec);
  std::ofstream(rootfs / "bin/busybox").flush();  // bind-mount target
  static const auto applets = [] {
    auto listed = testing::run_command({kBusybox, "--list"});
    std::vector<std::string> names;
    std::istringstream in(listed ? listed->out : "");
    for (std::string name; std::getline(in, name);) {
      if (!name.empty() && name != "busybox") names.push_back(name);
    }
    return names;
  }();
  if (applets.empty()) return common::make_error(std::string(kBusybox) + " --list gave no applets");
  for (const auto& a : applets) fs::create_symlink("busybox", rootfs / "bin" / a, ec);
  std::ofstream(rootfs / "etc/passwd") << "root:x:0:0:root:/:/bin/sh\n";
  std::ofstream(rootfs / "etc/group") << "root:x:0:\n";
  for (const auto& b : host_binds) {
    const fs::path target = rootfs / fs::path(b).relative_path();
    if (fs::is_directory(b, ec)) {
      fs::create_directories(target, ec);
    } else {
      fs::create_directories(target.parent_path(), ec);
      std::ofstream(target).flush();
    }
  }
  return common::ok_status();
}

json bind(const std::string& path) {
  return {{"destination", path}, {"type", "bind"}, {"source", path}, {"options", {"rbind", "ro"}}};
}

json make_config(const ContainerSpec& spec) {
  json mounts = {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
                 {{"destination", "/dev"},
                  {"type", "tmpfs"},
                  {"source", "tmpfs"},
                  {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
                 {{"destination", "/dev/pts"},
                  {"type", "devpts"},
                  {"source", "devpts"},
                  {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
                 {{"destination", "/dev/shm"},
                  {"type", "tmpfs"},
                  {"source", "shm"},
                  {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
                 {{"destination", "/sys"},
                  {"type", "sysfs"},
                  {"source", "sysfs"},
                  {"options", {"nosuid", "noexec", "nodev", "ro"}}},
                 {{"destination", "/tmp"},
                  {"type", "tmpfs"},
                  {"source", "tmpfs"},
                  {"options", {"nosuid", "nodev"}}},
                 bind(kBusybox)};
  for (const auto& b : spec.host_binds) mounts.push_back(bind(b));
  json env = {"PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/"};
  for (const auto& e : spec.env) env.push_back(e);
  json linux = {{"namespaces",
                 {{{"type", "pid"}},
                  {{"type", "ipc"}},
                  {{"type", "uts"}},
                  {{"type", "mount"}},
                  {{"type", "network"}}}},
                {"cgroupsPath", spec.cgroup_path},
                {"maskedPaths", {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"}},
                {"readonlyPaths",
                 {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}};
  if (spec.seccomp) linux["seccomp"] = *spec.seccomp;
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", spec.args},
        {"env", env},
        {"cwd", "/"},
        {"capabilities",
         {{"bounding", kCapabilities}, {"effective", kCapabilities}, {"permitted", kCapabilities}}},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
        {"noNewPrivileges", spec.no_new_privileges}}},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "tailor-testbed"},
      {"mounts", mounts},
      {"linux", linux}};
}

}  // namespace

std::string runtime_name(OciRuntime runtime) {
  return runtime == OciRuntime::kRunc ? "runc" : "crun";
}

std::optional<std::string> runtime_unavailable(OciRuntime runtime) {
  if (geteuid() != 0) return "needs root to run " + runtime_name(runtime) + " containers";
  if (!testing::have_program(runtime_name(runtime)))
    return runtime_name(runtime) + " is not installed";
  if (access(kBusybox, X_OK) != 0) return std::string(kBusybox) + " (busybox-static) is missing";
  if (auto mount = cgroup2_mount(); !mount) return mount.error().message;
  if (runtime == OciRuntime::kCrun && hybrid_host() && !testing::have_program("unshare")) {
    return "crun on a hybrid cgroup host needs unshare (util-linux)";
  }
  return std::nullopt;
}

OciContainer::OciContainer(ContainerSpec spec, std::string bundle, std::string state_root)
    : spec_(std::move(spec)), bundle_(std::move(bundle)), state_root_(std::move(state_root)) {}

OciContainer::~OciContainer() { (void)remove(); }

common::Result<testing::ProcessResult> OciContainer::runtime_cmd(
    const std::vector<std::string>& args, const std::string& log_file,
    std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv;
  if (!log_file.empty()) {
    argv = {"sh", "-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1", "sh", log_file};
  }
  if (spec_.runtime == OciRuntime::kCrun && hybrid_host()) {
    argv.insert(argv.end(), {"unshare", "-m", "sh", "-c",
                             "mount -t cgroup2 none /sys/fs/cgroup && exec \"$@\"", "sh"});
  }
  argv.push_back(runtime_name(spec_.runtime));
  argv.push_back("--root");
  argv.push_back(state_root_);
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_command(argv, timeout);
}

common::Result<std::unique_ptr<OciContainer>> OciContainer::prepare(ContainerSpec spec,
                                                                    const std::string& work_dir) {
  if (spec.id.empty()) spec.id = random_container_id();
  const std::string bundle = work_dir + "/bundles/" + spec.id;
  const std::string state_root = work_dir + "/" + runtime_name(spec.runtime) + "-state";
  std::error_code ec;
  fs::create_directories(state_root, ec);
  if (auto s = build_rootfs(bundle + "/rootfs", spec.host_binds); !s) return s.error();
  if (auto s = write_private_file(bundle + "/config.json", make_config(spec).dump(2)); !s) {
    return s.error();
  }
  return std::unique_ptr<OciContainer>(new OciContainer(std::move(spec), bundle, state_root));
}

common::Result<std::unique_ptr<OciContainer>> OciContainer::start(ContainerSpec spec,
                                                                  const std::string& work_dir) {
  auto prepared = prepare(std::move(spec), work_dir);
  if (!prepared) return prepared.error();
  std::unique_ptr<OciContainer> c = std::move(*prepared);
  const std::string& bundle = c->bundle_;
  // Detached containers inherit the runtime's stdio: send it to files, not to
  // pipes that would never reach end-of-file.
  auto started = c->runtime_cmd(
      {"run", "-d", "--bundle", bundle, "--pid-file", bundle + "/pid", c->spec_.id}, c->log_path());
  if (started && started->exit_status == 0) {
    std::ifstream(bundle + "/pid") >> c->pid_;
  }
  if (!started || started->exit_status != 0 || c->pid_ <= 0) {
    c->removed_ = true;
    const std::string why = started ? c->log_text() : started.error().message;
    (void)c->runtime_cmd({"delete", "-f", c->spec_.id});
    std::error_code ec;
    fs::remove_all(bundle, ec);
    return common::make_error(runtime_name(c->spec_.runtime) + " run failed: " + why);
  }
  return c;
}

common::Result<testing::ProcessResult> OciContainer::run(ContainerSpec spec,
                                                         const std::string& work_dir,
                                                         std::chrono::milliseconds timeout) {
  auto prepared = prepare(std::move(spec), work_dir);
  if (!prepared) return prepared.error();
  // ~OciContainer deletes the container and its bundle.
  const auto& c = *prepared;
  return c->runtime_cmd({"run", "--bundle", c->bundle_, c->spec_.id}, "", timeout);
}

common::Result<std::string> OciContainer::status() const {
  auto state = runtime_cmd({"state", spec_.id});
  if (!state) return state.error();
  if (state->exit_status != 0) return common::make_error("no such container: " + state->err);
  const auto doc = json::parse(state->out, nullptr, false);
  if (!doc.is_object()) return common::make_error("unreadable state: " + state->out);
  return doc.value("status", "");
}

common::Status OciContainer::kill(int signal) {
  auto done = runtime_cmd({"kill", spec_.id, std::to_string(signal)});
  if (!done) return done.error();
  if (done->exit_status != 0) return common::make_error("kill failed: " + done->err);
  return common::ok_status();
}

common::Status OciContainer::wait_stopped(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = status();
    if (!s || *s == "stopped") return common::ok_status();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return common::make_error("container " + spec_.id + " still running");
}

common::Status OciContainer::remove() {
  if (removed_) return common::ok_status();
  removed_ = true;
  auto deleted = runtime_cmd({"delete", "-f", spec_.id});
  std::error_code ec;
  fs::remove_all(bundle_, ec);
  if (!deleted) return deleted.error();
  if (deleted->exit_status != 0 && deleted->err.find("does not exist") == std::string::npos) {
    return common::make_error("delete failed: " + deleted->err);
  }
  return common::ok_status();
}

std::string OciContainer::log_path() const { return bundle_ + "/container.log"; }

std::string OciContainer::log_text() const {
  std::ifstream in(log_path());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace tailor::testbed
