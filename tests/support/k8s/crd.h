#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace tailor::testing {

// Reads a file of one or more YAML documents.
common::Result<std::vector<nlohmann::json>> load_yaml_file(const std::string& path);

// An additionalPrinterColumn of a CRD version: what `kubectl get` shows.
struct PrinterColumn {
  std::string name;
  std::string type;       // string, integer, number, boolean, date
  std::string json_path;  // ".status.status"
  int priority = 0;       // >0: only with -o wide
  std::string description;
};

struct CrdVersion {
  std::string name;  // "v1"
  bool served = false;
  bool storage = false;
  nlohmann::json schema;  // openAPIV3Schema
  std::vector<PrinterColumn> printer_columns;
  bool status_subresource = false;
};

// The parts of an apiextensions.k8s.io/v1 CustomResourceDefinition that serving
// and validating its objects needs.
struct Crd {
  std::string group;
  std::string kind;
  std::string list_kind;
  std::string plural;
  std::string singular;
  std::vector<std::string> short_names;
  bool namespaced = false;
  std::vector<CrdVersion> versions;

  const CrdVersion* version(const std::string& name) const;
};

common::Result<Crd> parse_crd(const nlohmann::json& object);

// Loads the CustomResourceDefinition in a YAML file.
common::Result<Crd> load_crd_file(const std::string& path);

}  // namespace tailor::testing
