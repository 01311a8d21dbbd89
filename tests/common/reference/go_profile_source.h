#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace tailor::common::testing {

// containerd's default profile as its Go source (contrib/seccomp/seccomp_default.go) states
// it, read line by line the way gofmt lays it out, in Moby's terms: each appended rule with
// the condition under which the code appends it (a GOARCH case is includes.arches, its
// `default` excludes the other cases' arches; a capability case includes.caps; `!admin`
// excludes CAP_SYS_ADMIN; the kernel check includes.minKernel).

struct GoArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // "SCMP_CMP_EQ"
};

struct GoRule {
  std::vector<std::string> names;
  std::string action;  // "SCMP_ACT_ALLOW"
  std::optional<uint32_t> errno_ret;
  std::vector<GoArg> args;
  std::set<std::string> include_arches, include_caps, exclude_arches, exclude_caps;
  std::string min_kernel;
};

struct GoProfile {
  std::string default_action;
  std::set<std::set<std::string>> arch_sets;  // arches()'s cases: {"SCMP_ARCH_X86_64", ...}
  std::vector<GoRule> rules;
};

// An expression or name the reader does not know is an error naming it, so a changed source
// fails the test instead of being misread.
Result<GoProfile> read_go_profile(const std::string& source);

}  // namespace tailor::common::testing
