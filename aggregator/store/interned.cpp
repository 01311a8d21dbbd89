#include "aggregator/store/interned.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace tailor::aggregator {
namespace {

struct Table {
  std::shared_mutex mu;
  std::deque<std::string> names;  // a deque never moves its elements: the views stay valid
  std::unordered_map<std::string_view, uint32_t> ids;
  std::unordered_map<uint32_t, uint32_t> run_nodes;  // intern_run's id -> node id
};

Table& table() {
  static Table instance;
  return instance;
}

}  // namespace

uint32_t intern(std::string_view name) {
  Table& t = table();
  {
    std::shared_lock lock(t.mu);
    if (auto it = t.ids.find(name); it != t.ids.end()) return it->second;
  }
  std::unique_lock lock(t.mu);
  if (auto it = t.ids.find(name); it != t.ids.end()) return it->second;
  const auto id = static_cast<uint32_t>(t.names.size());
  t.names.emplace_back(name);
  t.ids.emplace(t.names.back(), id);
  return id;
}

uint32_t intern_run(std::string_view node, std::string_view agent_run) {
  // Length-prefixed, so no node and run pair reads as another.
  const uint32_t run =
      intern(std::to_string(node.size()) + ":" + std::string(node) + std::string(agent_run));
  Table& t = table();
  {
    std::shared_lock lock(t.mu);
    if (t.run_nodes.contains(run)) return run;
  }
  const uint32_t node_id = intern(node);
  std::unique_lock lock(t.mu);
  t.run_nodes.emplace(run, node_id);
  return run;
}

uint32_t run_node(uint32_t run) {
  Table& t = table();
  std::shared_lock lock(t.mu);
  return t.run_nodes.at(run);
}

const std::string& interned_name(uint32_t id) {
  Table& t = table();
  std::shared_lock lock(t.mu);
  return t.names.at(id);
}

NameSet::NameSet(std::initializer_list<std::string_view> names) {
  for (auto name : names) insert(name);
}

bool NameSet::insert(std::string_view name) { return insert_id(intern(name)); }

bool NameSet::insert_id(uint32_t id) {
  auto at = std::lower_bound(ids_.begin(), ids_.end(), id);
  if (at != ids_.end() && *at == id) return false;
  ids_.insert(at, id);
  return true;
}

bool NameSet::insert_all(const NameSet& other) {
  if (std::includes(ids_.begin(), ids_.end(), other.ids_.begin(), other.ids_.end())) return false;
  std::vector<uint32_t> joined;
  joined.reserve(ids_.size() + other.ids_.size());
  std::set_union(ids_.begin(), ids_.end(), other.ids_.begin(), other.ids_.end(),
                 std::back_inserter(joined));
  joined.shrink_to_fit();
  ids_ = std::move(joined);
  return true;
}

std::set<std::string> NameSet::names() const {
  std::set<std::string> names;
  for (uint32_t id : ids_) names.insert(interned_name(id));
  return names;
}

}  // namespace tailor::aggregator
