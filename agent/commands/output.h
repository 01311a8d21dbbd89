#pragma once

#include <string>
#include <string_view>

#include "common/report/report.h"
#include "common/util/result.h"

namespace tailor::agent {

// Writes a command's document to `path`, or to standard output for "" or "-". A file is
// replaced atomically, so a failed command never leaves a partial one behind.
common::Status write_output(const std::string& path, std::string_view text);

// Whether write_output sends to standard output, where summaries must not go.
bool is_stdout(const std::string& path);

// Fails when a file cannot be written at `path` (no such directory, read-only, not a
// directory), found by creating and removing a file beside it: a command that records learns
// it before the workload runs, not after.
common::Status check_writable(const std::string& path);

// Writes a report a workload's run went into. When `path` cannot be written after all, the
// report is saved in $TMPDIR (else /tmp) and the error says where, so the recording survives.
common::Status save_report(const std::string& path, const common::Report& report);

}  // namespace tailor::agent
