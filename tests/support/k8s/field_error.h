#pragma once

#include <string>
#include <vector>

namespace tailor::testing {

// One validation failure, shaped like the API server's field.Error so that
// messages and Status causes read exactly as a real cluster would print them.
struct FieldError {
  enum class Type { kRequired, kNotSupported, kInvalid, kTooLong, kTooMany, kDuplicate };

  Type type = Type::kInvalid;
  std::string field;   // "spec.syscalls[0].action"
  std::string detail;  // everything after "<field>: "

  // "spec.syscalls[0].action: Unsupported value: \"X\": supported values: ..."
  std::string message() const;
  // The StatusCause reason: FieldValueRequired, FieldValueNotSupported, ...
  std::string reason() const;
};

// "[a, b]" for several errors, the bare message for one, as the API server
// aggregates them into a Status message.
std::string join_field_errors(const std::vector<FieldError>& errors);

}  // namespace tailor::testing
