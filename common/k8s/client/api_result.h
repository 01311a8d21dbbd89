#pragma once

#include <nlohmann/json.hpp>

#include "common/util/result.h"

namespace tailor::common {

// The answer to an API request: the decoded body of a 2xx answer, or an
// error whose one-line message carries the method, path, HTTP status, reason
// and the Status object's message. status() is the HTTP status either way
// (0: no answer: connection, TLS, timeout or cancellation), so callers tell
// 404 from 409 from 410 without reading messages.
class [[nodiscard]] ApiResult : public Result<nlohmann::json> {
 public:
  ApiResult(nlohmann::json body, int status) : Result(std::move(body)), status_(status) {}
  ApiResult(Error error, int status) : Result(std::move(error)), status_(status) {}

  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace tailor::common
