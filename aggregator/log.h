#pragma once

#include <string>

namespace tailor::aggregator {

// One JSON object a line on stderr ({"ts_ms", "level", "msg"}), as the agent logs.
void log_line(const char* level, const std::string& message);

}  // namespace tailor::aggregator
