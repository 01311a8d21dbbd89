#pragma once

#include <string>

namespace tailor::common {

// 16 hex digits from the system's random source: what tells one process run from another (an
// agent's run, an aggregator instance), not a secret.
std::string random_id();

}  // namespace tailor::common
