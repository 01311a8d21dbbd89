#include "common/model/merge.h"

namespace tailor::common {

bool merge_counts(std::map<uint64_t, uint64_t>& into, const std::map<uint64_t, uint64_t>& from,
                  Combine how) {
  bool added = false;
  for (const auto& [key, count] : from) {
    auto [at, inserted] = into.try_emplace(key, count);
    if (!inserted) at->second = combine(at->second, count, how);
    added |= inserted;
  }
  return added;
}

bool merge_arg(std::optional<RecordedArg>& into, const std::optional<RecordedArg>& from,
               Combine how) {
  if (!into && !from) return false;
  if (!into || !from || into->index != from->index) {
    const bool replaced = !into || (from && from->index < into->index);
    if (replaced) into = from;
    const bool grew = replaced || into->complete;
    into->complete = false;
    return grew;
  }
  const bool added = merge_counts(into->values, from->values, how);
  const bool turned_incomplete = into->complete && !from->complete;
  into->complete = into->complete && from->complete;
  return added || turned_incomplete;
}

void merge_name(std::string& into, const std::string& from) {
  if (into.empty() || (!from.empty() && from < into)) into = from;
}

}  // namespace tailor::common
