#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "common/util/result.h"

namespace tailor::common {

// The bearer token of a client. A projected service-account token rotates
// (the kubelet rewrites the file well before expiry), so a token from a file
// is re-read at most every `refresh`; a failed re-read keeps the last token
// and tries again on the next call.
class TokenSource {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `file` empty: `token` is used as is. `clock` empty: steady_clock.
  TokenSource(std::string token, std::string file,
              std::chrono::seconds refresh = std::chrono::seconds(60), Clock clock = {});

  // The current token; an error only when the file has never been readable.
  Result<std::string> token();

 private:
  std::mutex mu_;
  std::string token_;
  std::string file_;
  std::chrono::seconds refresh_;
  Clock clock_;
  std::optional<std::chrono::steady_clock::time_point> read_at_;
};

}  // namespace tailor::common
