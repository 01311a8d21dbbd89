// The agent's spool directory, read back at start-up: whatever a crash, a full disk or another
// process left in a batch file. Each input is one batch file in a fresh spool.
#include "agent/report/spool.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// Removed when the fuzzer exits, however many inputs it ran.
struct ScratchDirectory {
  fs::path path = fs::temp_directory_path() / ("tailor-fuzz-spool-" + std::to_string(::getpid()));
  ~ScratchDirectory() { fs::remove_all(path); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ScratchDirectory scratch;
  fs::remove_all(scratch.path);
  fs::create_directories(scratch.path);
  std::ofstream(scratch.path / "00000000000000000001.json", std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  auto spool = tailor::agent::Spool::open(scratch.path.string(), {});
  // Only the machine can fail to open a fresh directory; the run would test nothing.
  if (!spool) __builtin_trap();
  for (const auto& entry : std::deque((*spool)->entries())) (void)(*spool)->read(entry);
  return 0;
}
