#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace tailor::common {

// Wall-clock time as the wire format, reports and logs carry it: Unix milliseconds.
inline int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A wall-clock time as reports show it: "2026-12-05 19:53:46 UTC".
inline std::string utc_time(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[sizeof "1970-01-01 00:00:00 UTC"];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

}  // namespace tailor::common
