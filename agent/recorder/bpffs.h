#pragma once

#include <filesystem>
#include <string>

#include "common/util/result.h"

namespace tailor::agent {

// Makes sure `pin_dir` lies on a bpf filesystem, as node agents must on hosts (and in
// private mount namespaces) where none is mounted. When no bpffs holds it, one is mounted
// at /sys/fs/bpf if `pin_dir` is below it, else at `pin_dir` itself. Returns the mount point
// it mounted, or "" when a bpffs was already there.
common::Result<std::string> ensure_bpffs(const std::filesystem::path& pin_dir);

// The nearest existing directory at or above `path`: where a new pin directory would live.
std::filesystem::path nearest_existing(std::filesystem::path path);
bool on_bpffs(const std::filesystem::path& path);

}  // namespace tailor::agent
