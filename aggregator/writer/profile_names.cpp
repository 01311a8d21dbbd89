#include "aggregator/writer/profile_names.h"

#include "aggregator/writer/profile_object.h"
#include "common/k8s/object_names.h"

namespace tailor::aggregator {

std::map<std::string, std::string> workload_labels(const common::WorkloadKey& key) {
  std::map<std::string, std::string> labels = {{kManagedByLabel, kManagedByValue}};
  const std::pair<const char*, const std::string*> parts[] = {
      {"tailor.dev/namespace", &key.namespace_name},
      {"tailor.dev/workload-kind", &key.kind},
      {"tailor.dev/workload-name", &key.name},
      {"tailor.dev/container", &key.container}};
  for (const auto& [label, value] : parts) {
    if (common::check_label_value(*value, label).ok()) labels[label] = *value;
  }
  return labels;
}

}  // namespace tailor::aggregator
