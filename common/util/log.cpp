#include "common/util/log.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/util/clock.h"

namespace tailor::common {

void log_line(const char* level, const std::string& message) {
  // Replaced, not thrown on: a message may quote bytes from outside (a pod name, a server's
  // answer) that are not UTF-8.
  const nlohmann::json line = {{"ts_ms", unix_now_ms()}, {"level", level}, {"msg", message}};
  std::fprintf(stderr, "%s\n",
               line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

}  // namespace tailor::common
