#pragma once

#include <atomic>
#include <mutex>
#include <thread>

namespace httplib {
class Client;
}

namespace tailor::common {

// Ends requests from another thread: a watch that would otherwise wait for
// its next event, or a list in flight, returns within milliseconds of
// cancel(). Once cancelled it stays cancelled: requests given it return at
// once with status 0, until reset(). From inside a watch handler, return
// false instead: cancel() there only sets the flag.
class Cancellation {
 public:
  void cancel();
  bool cancelled() const { return cancelled_; }
  void reset() { cancelled_ = false; }

 private:
  friend class ActiveRequest;

  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  httplib::Client* active_ = nullptr;
  std::atomic<bool> busy_{false};
  std::thread::id requester_;
};

// Registers the request in flight on `client` with a Cancellation for as
// long as it lives. One request at a time per Cancellation.
class ActiveRequest {
 public:
  ActiveRequest(Cancellation* cancellation, httplib::Client& client);
  ~ActiveRequest();
  ActiveRequest(const ActiveRequest&) = delete;
  ActiveRequest& operator=(const ActiveRequest&) = delete;

 private:
  Cancellation* cancellation_;
};

}  // namespace tailor::common
