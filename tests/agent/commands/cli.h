#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/process.h"

namespace tailor::agent::testing {

// Runs the real tailor binary, with `env` assignments ("NAME=value", "-u NAME" as two items)
// put in front through env(1).
inline tailor::testing::ProcessResult run_tailor(const std::vector<std::string>& args,
                                                 const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(TAILOR_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  return tailor::testing::run_process(argv);
}

// How every expected failure looks: status, one line "tailor: ..." on stderr, nothing on stdout.
inline void expect_one_line_failure(const tailor::testing::ProcessResult& result, int status,
                                    const std::string& message) {
  EXPECT_EQ(result.exit_status, status) << result.err;
  EXPECT_THAT(result.err, ::testing::StartsWith("tailor: "));
  EXPECT_THAT(result.err, ::testing::HasSubstr(message));
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.out, "");
}

}  // namespace tailor::agent::testing
