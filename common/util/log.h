#pragma once

#include <string>

namespace tailor::common {

// One JSON object a line on stderr ({"ts_ms", "level", "msg"}): what log collectors on a node
// expect from the agent and the aggregator. `level`: "info", "warning" or "error".
void log_line(const char* level, const std::string& message);

}  // namespace tailor::common
