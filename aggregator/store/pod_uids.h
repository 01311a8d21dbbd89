#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tailor::aggregator {

// A workload's pod uids. Kubernetes makes them UUIDs, kept as their 16 bytes: as strings in a
// std::set a uid took about 128 bytes, 30 MiB for 5,000 workloads of 50 pods. Any other uid
// is kept as its text. Either form is canonical, so equal sets compare equal.
class PodUids {
 public:
  bool contains(std::string_view uid) const;
  bool insert(std::string_view uid);  // true when it was new
  void erase(std::string_view uid);
  std::size_t size() const { return uuids_.size() + others_.size(); }
  std::vector<std::string> uids() const;

  bool operator==(const PodUids&) const = default;

 private:
  using Uuid = std::array<uint8_t, 16>;
  // The bytes of a lowercase 8-4-4-4-12 uid, the only text that is kept as bytes.
  static bool parse(std::string_view uid, Uuid& out);

  std::vector<Uuid> uuids_;          // sorted
  std::vector<std::string> others_;  // sorted
};

}  // namespace tailor::aggregator
