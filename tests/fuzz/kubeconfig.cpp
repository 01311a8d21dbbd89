// Kubeconfig files, which `tailor agent`, the aggregator and the test bed read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/k8s/client/cluster_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A path under which no file exists: a certificate-authority the input names is not read from
  // the machine's files, so runs do not depend on them.
  (void)tailor::common::parse_kubeconfig(
      std::string_view(reinterpret_cast<const char*>(data), size), "/nonexistent/kubeconfig");
  return 0;
}
