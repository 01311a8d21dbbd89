#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace tailor::testbed {

enum class Verb { kGet, kList, kWatch, kCreate, kUpdate, kPatch, kDelete };

std::string verb_name(Verb verb);

// The server's fault switches: latency added to every resource request, and
// error answers (409, 429, 500, ...) per verb, either at a rate or for the
// next N requests. Seeded, so a failing run can be replayed.
class FaultInjector {
 public:
  explicit FaultInjector(uint32_t seed = 1);

  void set_latency(std::chrono::milliseconds latency);
  std::chrono::milliseconds latency() const;

  // Answers `rate` (0..1) of `verb` requests with `code`; rate 0 removes it.
  void set_error_rate(Verb verb, int code, double rate);
  // Answers the next `count` `verb` requests with `code`, before any rate.
  void fail_next(Verb verb, int code, int count);
  // The next `count` chunks written to open watch streams are a line that is
  // not JSON, as a broken proxy or a truncated connection would deliver.
  void garble_next_watch_events(int count);
  void clear();

  // The code to fail this request with, if any.
  std::optional<int> pick(Verb verb);
  // Whether this watch chunk is to be replaced by garbage.
  bool take_watch_garbage();

 private:
  mutable std::mutex mu_;
  std::mt19937 rng_;
  std::chrono::milliseconds latency_{0};
  std::map<Verb, std::map<int, double>> rates_;
  std::map<Verb, std::deque<int>> next_;
  int garbled_watch_events_ = 0;
};

}  // namespace tailor::testbed
