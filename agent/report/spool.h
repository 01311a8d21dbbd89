#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "common/wire/delta.h"

namespace tailor::agent {

struct SpoolLimits {
  uint64_t max_bytes = 64ull << 20;
  std::size_t max_files = 1024;
};

// A batch on disk, in the order it was written.
struct SpoolEntry {
  uint64_t id = 0;  // order of writing; names the file
  std::string agent_id;
  uint64_t seq = 0;
  uint64_t bytes = 0;
};

// Batches written before they are sent and deleted when acknowledged, so a batch outlives an
// agent restart (the directory is a hostPath). Delivery is at-least-once: after a crash
// between the aggregator's acknowledgement and remove(), the batch is sent again, which the
// aggregator's merge makes harmless.
//
// Bounded: when a new batch would exceed the limits, the oldest batches are deleted and
// counted as dropped. A file that cannot be read back is moved to corrupt/ and counted.
// One process at a time: open() holds a lock on the directory until the Spool is destroyed.
class Spool {
 public:
  // Creates the directory if needed, removes temporary files a crash left behind, moves files
  // that do not decode as deltas aside, and lists the rest oldest first.
  static common::Result<std::unique_ptr<Spool>> open(const std::string& directory,
                                                     SpoolLimits limits);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Writes the batch durably (temporary file, fsync, rename, fsync of the directory). Returns
  // the batches dropped to make room, so their content can be released for a later batch.
  common::Result<std::vector<SpoolEntry>> append(const common::Delta& delta);

  // The encoded batch. A file that cannot be read back is moved aside, counted and removed
  // from the list.
  common::Result<std::string> read(const SpoolEntry& entry);

  // After the aggregator acknowledged or rejected the batch. Unknown ids are ignored.
  common::Status remove(uint64_t id);

  const std::deque<SpoolEntry>& entries() const { return entries_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t dropped_batches() const { return dropped_; }
  uint64_t corrupt_files() const { return corrupt_; }

 private:
  Spool(std::string directory, SpoolLimits limits, int lock_fd);
  common::Status scan();
  std::string path_of(uint64_t id) const;
  void move_aside(const std::string& name);
  common::Status drop_oldest();

  std::string directory_;
  SpoolLimits limits_;
  int lock_fd_;
  std::deque<SpoolEntry> entries_;
  uint64_t next_id_ = 1;
  uint64_t bytes_ = 0;
  uint64_t dropped_ = 0;
  uint64_t corrupt_ = 0;
};

}  // namespace tailor::agent
