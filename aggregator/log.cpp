#include "aggregator/log.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace tailor::aggregator {

void log_line(const char* level, const std::string& message) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const nlohmann::json line = {{"ts_ms", now}, {"level", level}, {"msg", message}};
  std::fprintf(stderr, "%s\n", line.dump().c_str());
}

}  // namespace tailor::aggregator
