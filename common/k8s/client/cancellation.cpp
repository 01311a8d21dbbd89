#include "common/k8s/client/cancellation.h"

#include <httplib.h>

#include <chrono>
#include <thread>

namespace tailor::common {

void Cancellation::cancel() {
  cancelled_ = true;
  {
    std::lock_guard lock(mu_);
    if (requester_ == std::this_thread::get_id()) return;
  }
  // httplib's stop() only interrupts a request whose socket is already open;
  // one that is still connecting notices the flag only after connect. So
  // keep stopping until the request in flight has let go of the client.
  while (busy_) {
    {
      std::lock_guard lock(mu_);
      if (active_) active_->stop();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

ActiveRequest::ActiveRequest(Cancellation* cancellation, httplib::Client& client)
    : cancellation_(cancellation) {
  if (!cancellation_) return;
  std::lock_guard lock(cancellation_->mu_);
  cancellation_->active_ = &client;
  cancellation_->requester_ = std::this_thread::get_id();
  cancellation_->busy_ = true;
}

ActiveRequest::~ActiveRequest() {
  if (!cancellation_) return;
  std::lock_guard lock(cancellation_->mu_);
  cancellation_->active_ = nullptr;
  cancellation_->requester_ = {};
  cancellation_->busy_ = false;
}

}  // namespace tailor::common
