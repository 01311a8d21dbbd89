#pragma once

#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// Replaces `path` with `contents` through a temporary file in the same directory and a
// rename, so readers see the old file or the whole new one, never a partial write. The
// temporary file is removed on failure. New files get the usual 0666 less the umask.
Status write_file_atomically(const std::string& path, std::string_view contents);

Result<std::string> read_file(const std::string& path);

}  // namespace tailor::common
