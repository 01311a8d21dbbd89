#include "tests/testbed/anchors.h"

#include <cstdlib>

namespace tailor::testbed {

std::string anchors_dir() {
  if (const char* env = std::getenv("TAILOR_ANCHORS_DIR"); env && *env) return env;
  return TAILOR_ANCHORS_DIR;
}

}  // namespace tailor::testbed
