#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/k8s/field_error.h"

namespace tailor::testing {

// Validates objects against a structural OpenAPI v3 schema the way the API
// server treats custom resources: defaulting, pruning of unknown fields and
// validation with field-path messages ("spec.syscalls[0].action: Unsupported
// value: ..."). Understood: type, nullable, properties, additionalProperties,
// required, enum, items, min/maxItems, min/maxLength, pattern, minimum/maximum
// (and exclusive*), format (int32, int64, date-time), default,
// x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string,
// x-kubernetes-list-type set/map with x-kubernetes-list-map-keys. Other x-
// markers and descriptive keywords are ignored.
class SchemaValidator {
 public:
  explicit SchemaValidator(nlohmann::json schema);

  // All violations, in document order. Empty when the object conforms.
  std::vector<FieldError> validate(const nlohmann::json& object) const;

  // Removes fields the schema does not declare and returns their paths, as
  // the server does before storing (and reports as warnings or, with
  // fieldValidation=Strict, as errors). Root apiVersion, kind and metadata
  // are kept: the server handles ObjectMeta itself.
  std::vector<std::string> prune(nlohmann::json& object) const;

  // Fills in `default` values of absent properties of present objects.
  void apply_defaults(nlohmann::json& object) const;

  const nlohmann::json& schema() const { return schema_; }

 private:
  nlohmann::json schema_;
};

}  // namespace tailor::testing
