#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/k8s/crd.h"
#include "tests/support/k8s/schema_validator.h"

namespace tailor::testbed {

// A column of the Table that `kubectl get` asks for.
struct TableColumn {
  std::string name;
  std::string type;  // string, integer, date, ...
  int priority = 0;  // >0: only shown with -o wide
  std::function<nlohmann::json(const nlohmann::json& object)> cell;
};

// One served resource: what discovery announces, how its objects are keyed,
// validated and printed.
struct ResourceKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> verbs;
  // Built-in kinds accept updates without a resourceVersion; custom resources
  // do not.
  bool unconditional_update = true;
  bool status_subresource = false;
  std::shared_ptr<const testing::SchemaValidator> validator;  // custom resources only
  std::vector<TableColumn> columns;                           // after the Name column

  std::string group_version() const { return group.empty() ? version : group + "/" + version; }
  // Store key: versions of a group are kept apart, see docs/testing.md.
  std::string key() const { return group_version() + "/" + plural; }
  // "pods", "seccompprofiles.security-profiles-operator.x-k8s.io": Status details.
  std::string qualified() const { return group.empty() ? plural : plural + "." + group; }
};

// The built-in kinds the bed serves: pods, nodes, namespaces, leases and the workload
// controllers pods are owned by.
std::vector<ResourceKind> builtin_kinds();

// One kind per served version of a CRD. `namespaced_versions` overrides the
// CRD's scope for the named versions (the bed serves SPO's v1beta1 as the
// namespaced kind it was before SPO moved to cluster scope).
std::vector<ResourceKind> crd_kinds(const testing::Crd& crd,
                                    const std::vector<std::string>& namespaced_versions);

}  // namespace tailor::testbed
