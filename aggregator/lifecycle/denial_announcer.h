#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "aggregator/lifecycle/workload_state.h"
#include "common/wire/workload_key.h"

namespace tailor::aggregator {

// Which denied calls of which workload an Event already announced: one Event per newly
// denied call, never one per count, however often agents resend cumulative counts.
// Thread-safe.
class DenialAnnouncer {
 public:
  // The calls of `denied` not announced for `key` yet, now counted as announced.
  std::vector<ObservedDenial> take_new(const common::WorkloadKey& key,
                                       const std::vector<ObservedDenial>& denied);
  // A deleted workload's calls: announced again if it comes back.
  void forget(const common::WorkloadKey& key);

 private:
  using Call = std::tuple<std::string, uint32_t, common::DenialAction>;
  std::mutex mu_;
  std::map<common::WorkloadKey, std::set<Call>> announced_;
};

}  // namespace tailor::aggregator
