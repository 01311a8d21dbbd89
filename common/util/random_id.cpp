#include "common/util/random_id.h"

#include <cstdio>
#include <random>

namespace tailor::common {

std::string random_id() {
  std::random_device random;
  char id[17];
  std::snprintf(id, sizeof(id), "%08x%08x", random(), random());
  return id;
}

}  // namespace tailor::common
