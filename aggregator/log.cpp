#include "aggregator/log.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/util/clock.h"

namespace tailor::aggregator {

void log_line(const char* level, const std::string& message) {
  const nlohmann::json line = {
      {"ts_ms", common::unix_now_ms()}, {"level", level}, {"msg", message}};
  std::fprintf(stderr, "%s\n", line.dump().c_str());
}

}  // namespace tailor::aggregator
