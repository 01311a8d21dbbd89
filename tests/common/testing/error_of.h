#pragma once

#include <string>

#include "common/util/result.h"

namespace tailor::common::testing {

// What error_of gives for a call that succeeded.
inline constexpr const char* kNoError = "(succeeded, no error)";

// The message of a failed Result, so one EXPECT_EQ checks that a call failed and what it said.
template <typename T>
std::string error_of(const Result<T>& result) {
  return result.ok() ? kNoError : result.error().message;
}

}  // namespace tailor::common::testing
