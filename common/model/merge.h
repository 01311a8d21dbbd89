#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/model/syscall.h"
#include "common/util/saturating.h"

namespace tailor::common {

// The model's one merge is a set union with counts; two counts of the same thing combine one of
// two ways (docs/decisions/0008-one-model.md).
enum class Combine {
  // Different calls (recordings, containers, agent runs): commutative and associative.
  sum,
  // The same cumulative counter seen again (an agent run's batches, ADR 0003): also idempotent,
  // so replays and reordering change nothing.
  max,
};

constexpr uint64_t combine(uint64_t a, uint64_t b, Combine how) {
  return how == Combine::sum ? saturating_add(a, b) : (a < b ? b : a);
}

// Adds every value of `from` to `into`, combining the calls of values both have. True when
// `into` gained a value.
bool merge_counts(std::map<uint64_t, uint64_t>& into, const std::map<uint64_t, uint64_t>& from,
                  Combine how);

// The union of the values, complete only when both lists are. A side without the argument did
// not record it, so its calls may have used any value: the union is incomplete; so is the
// union of different arguments (different tailor versions), which keeps the lower index's
// values whatever the order. True when `into` grew for a profile: a value more, or incomplete.
bool merge_arg(std::optional<RecordedArg>& into, const std::optional<RecordedArg>& from,
               Combine how);

// Reports made with different libseccomp releases may name a number differently or not at
// all: the least non-empty name is kept, whatever the order.
void merge_name(std::string& into, const std::string& from);

// The earliest of two sighting times, where 0 is unknown (a syscall rebuilt from a profile),
// never the earliest. True when `from` was the earlier.
constexpr bool merge_first_seen(int64_t& into, int64_t from) {
  if (from == 0 || (into != 0 && into <= from)) return false;
  into = from;
  return true;
}

// The calls of one syscall: count, name and argument values (a report's entry, a wire entry).
template <typename Entry>
bool merge_calls(Entry& into, const Entry& from, Combine how) {
  into.count = combine(into.count, from.count, how);
  merge_name(into.name, from.name);
  return merge_arg(into.arg, from.arg, how);
}

}  // namespace tailor::common
