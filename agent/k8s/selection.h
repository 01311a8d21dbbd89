#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/k8s/pod_info.h"

namespace tailor::agent {

// The key of the namespace label that opts a namespace in ("true") and of
// the pod annotation that opts a pod in ("true") or out ("false").
inline constexpr const char* kRecordKey = "tailor.dev/record";

struct SelectionConfig {
  // Never recorded, whatever their labels and annotations say: the control
  // plane's namespace and Tailor's own.
  std::vector<std::string> excluded_namespaces = {"kube-system", "tailor"};
};

enum class Selection {
  kRecord,
  kNotOptedIn,         // neither the namespace nor the pod asks for recording
  kOptedOut,           // the pod's annotation is "false"
  kExcludedNamespace,  // in an excluded namespace
};

// Whether to record `pod`: excluded namespaces never; otherwise the pod's
// annotation decides when it is "true" or "false", else the namespace label
// (`namespace_labels`: the labels of the pod's namespace; empty while the
// namespace is not known yet, so only an annotation can opt in).
Selection select_pod(const PodInfo& pod, const std::map<std::string, std::string>& namespace_labels,
                     const SelectionConfig& config);

}  // namespace tailor::agent
