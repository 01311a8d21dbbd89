#include "tests/support/k8s/field_error.h"

#include "common/util/enum_names.h"

namespace tailor::testing {
namespace {

constexpr common::EnumNames<FieldError::Type, 6> kReasons = {
    {{FieldError::Type::kRequired, "FieldValueRequired"},
     {FieldError::Type::kNotSupported, "FieldValueNotSupported"},
     {FieldError::Type::kInvalid, "FieldValueInvalid"},
     {FieldError::Type::kTooLong, "FieldValueTooLong"},
     {FieldError::Type::kTooMany, "FieldValueTooMany"},
     {FieldError::Type::kDuplicate, "FieldValueDuplicate"}}};

}  // namespace

std::string FieldError::message() const { return field.empty() ? detail : field + ": " + detail; }

std::string FieldError::reason() const { return std::string(common::enum_name(kReasons, type)); }

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
