#include "agent/k8s/selection.h"

#include <algorithm>

namespace tailor::agent {

Selection select_pod(const PodInfo& pod, const std::map<std::string, std::string>& namespace_labels,
                     const SelectionConfig& config) {
  const auto& excluded = config.excluded_namespaces;
  if (std::find(excluded.begin(), excluded.end(), pod.ns) != excluded.end())
    return Selection::kExcludedNamespace;
  if (const auto it = pod.annotations.find(kRecordKey); it != pod.annotations.end()) {
    if (it->second == "true") return Selection::kRecord;
    if (it->second == "false") return Selection::kOptedOut;
  }
  const auto label = namespace_labels.find(kRecordKey);
  return label != namespace_labels.end() && label->second == "true" ? Selection::kRecord
                                                                    : Selection::kNotOptedIn;
}

}  // namespace tailor::agent
