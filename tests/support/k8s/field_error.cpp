#include "tests/support/k8s/field_error.h"

namespace tailor::testing {

std::string FieldError::message() const { return field.empty() ? detail : field + ": " + detail; }

std::string FieldError::reason() const {
  switch (type) {
    case Type::kRequired:
      return "FieldValueRequired";
    case Type::kNotSupported:
      return "FieldValueNotSupported";
    case Type::kTooLong:
      return "FieldValueTooLong";
    case Type::kTooMany:
      return "FieldValueTooMany";
    case Type::kDuplicate:
      return "FieldValueDuplicate";
    case Type::kInvalid:
      break;
  }
  return "FieldValueInvalid";
}

std::string join_field_errors(const std::vector<FieldError>& errors) {
  if (errors.size() == 1) return errors.front().message();
  std::string out = "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out += ", ";
    out += errors[i].message();
  }
  return out + "]";
}

}  // namespace tailor::testing
