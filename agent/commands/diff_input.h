#pragma once

#include <string>

#include "agent/commands/allow_set.h"
#include "common/util/result.h"

namespace tailor::agent {

// A file `tailor diff` compares, recognised by its content: a tailor report (JSON with
// "format": "tailor.report"), else an OCI seccomp profile (JSON), else a SeccompProfile
// (YAML or JSON). Names unknown to libseccomp are errors, as anywhere else.
common::Result<AllowSet> load_diff_input(const std::string& path);

// Where Docker's default profile is looked for when `--docker-profile` is not given:
// $TAILOR_DOCKER_PROFILE, /usr/share/tailor/docker-default.json, /etc/docker/seccomp.json.
// Tailor ships no copy: the profile is Docker's and changes with its releases.
common::Result<std::string> find_docker_profile();

// Docker's default profile. It names syscalls newer than this libseccomp knows; those are
// skipped, as runc skips them.
common::Result<AllowSet> load_docker_profile(const std::string& path);

}  // namespace tailor::agent
