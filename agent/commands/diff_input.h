#pragma once

#include <string>
#include <string_view>

#include "agent/commands/allow_set.h"
#include "common/util/result.h"

namespace tailor::agent {

// A file `tailor diff` compares, recognised by its content: a tailor report (JSON with
// "format": "tailor.report"), else an OCI seccomp profile (JSON), else a SeccompProfile
// (YAML or JSON). Names unknown to libseccomp are errors, as anywhere else.
common::Result<AllowSet> load_diff_input(const std::string& path);

// A runtime's default profile (docker-default, containerd-default, crio-default): the copy
// built into tailor, or the file at `path` when one is given (another version of it). They
// name syscalls newer than this libseccomp knows; those are skipped, as runc skips them.
common::Result<AllowSet> load_default_profile(std::string_view name, const std::string& path = "");

}  // namespace tailor::agent
