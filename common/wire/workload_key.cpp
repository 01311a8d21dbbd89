#include "common/wire/workload_key.h"

namespace tailor::common {

std::string describe(const WorkloadKey& key) {
  return key.namespace_name + "/" + key.kind + "/" + key.name + ":" + key.container;
}

}  // namespace tailor::common
