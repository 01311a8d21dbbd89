#include "tests/testbed/reference_data.h"

#include <cstdlib>

namespace tailor::testbed {

std::string reference_dir() {
  if (const char* env = std::getenv("TAILOR_REFERENCE_DIR"); env && *env) return env;
  return TAILOR_REFERENCE_DIR;
}

}  // namespace tailor::testbed
