#include "common/k8s/client/token_source.h"

#include "common/util/file.h"
#include "common/util/strings.h"

namespace tailor::common {

TokenSource::TokenSource(std::string token, std::string file, std::chrono::seconds refresh,
                         Clock clock)
    : token_(std::move(token)),
      file_(std::move(file)),
      refresh_(refresh),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

Result<std::string> TokenSource::token() {
  std::lock_guard lock(mu_);
  if (file_.empty()) return token_;
  const auto now = clock_();
  if (read_at_ && now - *read_at_ < refresh_) return token_;
  auto text = read_file(file_);
  std::string fresh = text ? std::string(trim(*text)) : "";
  if (fresh.empty()) {
    if (read_at_) return token_;
    return make_error(text ? "the bearer token file " + file_ + " is empty"
                           : text.error().message + " (the bearer token)");
  }
  token_ = std::move(fresh);
  read_at_ = now;
  return token_;
}

}  // namespace tailor::common
