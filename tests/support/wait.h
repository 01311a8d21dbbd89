#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace tailor::testing {

// Polls `done` every `poll` until it holds or `timeout` has passed; whether it held. What tests
// wait with for something to be ready, instead of sleeping a fixed time.
inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(poll);
  }
  return done();
}

}  // namespace tailor::testing
