#include "tests/testbed/faults.h"

#include "common/util/enum_names.h"

namespace tailor::testbed {
namespace {

constexpr common::EnumNames<Verb, 7> kVerbNames = {{{Verb::kGet, "get"},
                                                    {Verb::kList, "list"},
                                                    {Verb::kWatch, "watch"},
                                                    {Verb::kCreate, "create"},
                                                    {Verb::kUpdate, "update"},
                                                    {Verb::kPatch, "patch"},
                                                    {Verb::kDelete, "delete"}}};

}  // namespace

std::string verb_name(Verb verb) { return std::string(common::enum_name(kVerbNames, verb)); }

FaultInjector::FaultInjector(uint32_t seed) : rng_(seed) {}

void FaultInjector::set_latency(std::chrono::milliseconds latency) {
  std::lock_guard lock(mu_);
  latency_ = latency;
}

std::chrono::milliseconds FaultInjector::latency() const {
  std::lock_guard lock(mu_);
  return latency_;
}

void FaultInjector::set_error_rate(Verb verb, int code, double rate) {
  std::lock_guard lock(mu_);
  if (rate <= 0) {
    rates_[verb].erase(code);
  } else {
    rates_[verb][code] = rate;
  }
}

void FaultInjector::fail_next(Verb verb, int code, int count) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < count; ++i) next_[verb].push_back(code);
}

void FaultInjector::garble_next_watch_events(int count) {
  std::lock_guard lock(mu_);
  garbled_watch_events_ += count;
}

void FaultInjector::clear() {
  std::lock_guard lock(mu_);
  latency_ = std::chrono::milliseconds(0);
  rates_.clear();
  next_.clear();
  garbled_watch_events_ = 0;
}

std::optional<int> FaultInjector::pick(Verb verb) {
  std::lock_guard lock(mu_);
  if (auto& queue = next_[verb]; !queue.empty()) {
    const int code = queue.front();
    queue.pop_front();
    return code;
  }
  // One draw per request; the rates of a verb partition [0, 1).
  double draw = std::uniform_real_distribution<double>(0, 1)(rng_);
  for (const auto& [code, rate] : rates_[verb]) {
    if (draw < rate) return code;
    draw -= rate;
  }
  return std::nullopt;
}

bool FaultInjector::take_watch_garbage() {
  std::lock_guard lock(mu_);
  if (garbled_watch_events_ == 0) return false;
  --garbled_watch_events_;
  return true;
}

}  // namespace tailor::testbed
