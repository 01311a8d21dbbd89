#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/cgroup/cgroup2.h"

namespace tailor::agent {

// The container id a cgroup directory name stands for, in the naming of
// docker, containerd/CRI, CRI-O, podman and runc with the cgroupfs or systemd
// driver ("docker-<id>.scope", "cri-containerd-<id>.scope", "crio-<id>.scope",
// "libpod-<id>.scope", or a bare 64-hex <id>). Runtime monitor scopes
// ("crio-conmon-<id>.scope", "libpod-conmon-<id>.scope") are not containers.
std::optional<std::string> container_id_from_cgroup_name(std::string_view name);

// Where runc and crun keep their containers' state (their --root) when nobody says otherwise:
// /run/runc and /run/crun (root, also CRI-O's and podman's), containerd's and Docker's runc
// roots (one per namespace), and the calling user's under $XDG_RUNTIME_DIR. Only those that exist.
std::vector<std::filesystem::path> default_runtime_roots();

// Where find_container_cgroup looks: the cgroup tree is a walk of every cgroup of the host, the
// runtimes' state a few directories.
enum class ContainerSearch { cgroups_and_runtime_state, runtime_state };

// Finds the cgroup of a container, by
// - its full id, a unique prefix of it (at least 4 hex digits) or a CRI reference
//   ("containerd://<id>"), in the cgroup names of container engines; or
// - its id or name in a runc or crun state directory under one of `runtime_roots`
//   (<root>/<id>/state.json, <root>/<id>/status): the cgroup of its init process, wherever its
//   cgroupsPath put it.
// Returns the path relative to the cgroup2 root. No match or several is an error.
Result<std::string> find_container_cgroup(
    const Cgroup2& cgroups, std::string_view id,
    const std::vector<std::filesystem::path>& runtime_roots = default_runtime_roots(),
    ContainerSearch where = ContainerSearch::cgroups_and_runtime_state);

}  // namespace tailor::agent
