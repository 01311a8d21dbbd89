#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// Replaces `path` with `contents` through a temporary file in the same directory and a
// rename, so readers see the old file or the whole new one, never a partial write. The
// temporary file is removed on failure. New files get the usual 0666 less the umask.
Status write_file_atomically(const std::string& path, std::string_view contents);

// Every file Tailor reads (reports, profiles, kubeconfigs, tokens, spool entries) is far below
// this; anything larger, or endless like /dev/zero, is refused before it fills memory.
inline constexpr std::size_t kMaxReadBytes = std::size_t{64} << 20;

Result<std::string> read_file(const std::string& path, std::size_t max_bytes = kMaxReadBytes);

}  // namespace tailor::common
