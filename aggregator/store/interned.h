#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tailor::aggregator {

// Node names and agent run ids as 4-byte ids. Every merged syscall lists the nodes and agent
// runs that made it: a workload on 50 nodes holds 100 such names per syscall, and as strings
// 5,000 workloads of 60 syscalls took gigabytes. Process-wide and append-only, so an id never
// changes and equal ids are equal names: merged states compare and merge by id. The table
// grows by one entry per node and per agent run ever seen (tens of bytes each). Thread-safe.
uint32_t intern(std::string_view name);
const std::string& interned_name(uint32_t id);

// An agent run as one id that also names its node: a merged syscall's tallies are per run,
// so its node list follows from them and needs no storage of its own (a tenth of the store
// at 50 nodes a workload). Keyed by node and run id both, so two agents claiming one run id
// stay two runs.
uint32_t intern_run(std::string_view node, std::string_view agent_run);
uint32_t run_node(uint32_t run);  // the interned node of an id from intern_run

// A set of interned names: a sorted vector, 4 bytes an element.
class NameSet {
 public:
  NameSet() = default;
  NameSet(std::initializer_list<std::string_view> names);

  bool insert(std::string_view name);  // true when it was new
  bool insert_id(uint32_t id);
  bool insert_all(const NameSet& other);
  std::size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  std::set<std::string> names() const;
  const std::vector<uint32_t>& ids() const { return ids_; }

  bool operator==(const NameSet&) const = default;

 private:
  std::vector<uint32_t> ids_;
};

}  // namespace tailor::aggregator
