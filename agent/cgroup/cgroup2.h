#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/util/result.h"

namespace tailor::agent {

using common::Result;
using common::Status;

// The cgroup2 hierarchy of this host: at /sys/fs/cgroup on a pure-v2 host, at
// /sys/fs/cgroup/unified (or wherever mountinfo says) on a hybrid one.
class Cgroup2 {
 public:
  // Finds the cgroup2 mount from /proc/self/mountinfo. `mountinfo` is injectable for tests.
  static Result<Cgroup2> detect(const std::string& mountinfo_path = "/proc/self/mountinfo");
  explicit Cgroup2(std::filesystem::path mount) : mount_(std::move(mount)) {}

  const std::filesystem::path& mount() const { return mount_; }

  // Absolute path of a cgroup given relative to the hierarchy root ("/a/b" or "a/b").
  std::filesystem::path absolute(const std::string& cgroup_path) const;
  // Path relative to the hierarchy root, with a leading "/".
  std::string relative(const std::filesystem::path& absolute_path) const;
  // An existing cgroup as users paste it: relative to the hierarchy root ("/a/b", "a/b") or
  // absolute under the mount ("/sys/fs/cgroup/a/b"). Returns it relative, with a leading "/".
  Result<std::string> resolve(const std::string& user_path) const;

  // The cgroup id BPF sees (bpf_get_current_cgroup_id): the directory's inode number.
  Result<uint64_t> id_of(const std::string& cgroup_path) const;
  // The path of a cgroup from its id, while it exists: the kernel opens it by
  // file handle (cgroup2 exports its ids as handles), no tree walk, so a
  // container that lives for milliseconds is still found. Needs
  // CAP_DAC_READ_SEARCH.
  Result<std::string> path_of_id(uint64_t id) const;
  // The cgroup2 path ("0::/...") of a running process.
  Result<std::string> path_of_pid(pid_t pid) const;

  Status create(const std::string& cgroup_path) const;
  // Kills every process left in the cgroup and its descendants, then removes them.
  Status destroy(const std::string& cgroup_path) const;

 private:
  std::filesystem::path mount_;
};

// A cgroup this process created for its own use: destroyed (processes killed,
// directories removed) when it goes out of scope, on every path out.
class OwnedCgroup {
 public:
  OwnedCgroup(const Cgroup2& cgroups, std::string path)
      : cgroups_(cgroups), path_(std::move(path)) {}
  ~OwnedCgroup() { (void)cgroups_.destroy(path_); }
  OwnedCgroup(const OwnedCgroup&) = delete;
  OwnedCgroup& operator=(const OwnedCgroup&) = delete;

 private:
  Cgroup2 cgroups_;
  std::string path_;
};

}  // namespace tailor::agent
