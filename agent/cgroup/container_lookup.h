#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/cgroup/cgroup2.h"

namespace tailor::agent {

// The container id a cgroup directory name stands for, in the naming of
// docker, containerd/CRI, CRI-O, podman and runc with the cgroupfs or systemd
// driver ("docker-<id>.scope", "cri-containerd-<id>.scope", "crio-<id>.scope",
// "libpod-<id>.scope", or a bare 64-hex <id>). Runtime monitor scopes
// ("crio-conmon-<id>.scope", "libpod-conmon-<id>.scope") are not containers.
std::optional<std::string> container_id_from_cgroup_name(std::string_view name);

// Finds the cgroup of a container by its full id, a unique prefix of it (at
// least 4 hex digits), or a CRI reference ("containerd://<id>"). Returns the
// path relative to the cgroup2 root. No match or several is an error.
Result<std::string> find_container_cgroup(const Cgroup2& cgroups, std::string_view id);

}  // namespace tailor::agent
