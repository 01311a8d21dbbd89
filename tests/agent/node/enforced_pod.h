#pragma once
// Pods of the test bed that run enforced: under an OCI seccomp filter that denies known calls
// with EPERM, with a Pod object asking for a Localhost profile, as a kubelet would run a pod
// with `securityContext.seccompProfile {type: Localhost}`. Header-only, for the agent's tests
// and the end-to-end ones.
#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "agent/recorder/session.h"
#include "common/syscalls/names.h"
#include "common/wire/delta.h"
#include "common/wire/workload_key.h"
#include "tests/testbed/kubectl.h"
#include "tests/testbed/simulated_cluster.h"

namespace tailor::testing {

// An OCI linux.seccomp object with defaultAction SCMP_ACT_ERRNO that allows every call
// libseccomp knows on this host's architecture except `denied` (names): the runtime and the
// workload run, and only the listed calls are refused.
inline nlohmann::json profile_denying(const std::vector<std::string>& denied) {
  const std::string arch = agent::abi_arch(TAILOR_ABI_NATIVE);
  nlohmann::json allowed = nlohmann::json::array();
  for (uint32_t nr = 0; nr <= common::kMaxSyscallNr; ++nr) {
    const auto name = common::syscall_name(arch, nr);
    if (!name || !*name) continue;
    if (std::find(denied.begin(), denied.end(), **name) == denied.end()) allowed.push_back(**name);
  }
  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"defaultErrnoRet", 1},
          {"syscalls", {{{"names", allowed}, {"action", "SCMP_ACT_ALLOW"}}}}};
}

// A pod whose container runs `args` under `seccomp` (OCI), and whose Pod object says
// securityContext.seccompProfile {type: Localhost, localhostProfile: `localhost_profile`}.
// Bind `host_binds` (e.g. TAILOR_TEST_WORKLOAD_STATIC) for the container to run them.
inline testbed::PodSpec enforced_pod(const std::string& ns, const testbed::Owner& owner,
                                     const std::string& localhost_profile, nlohmann::json seccomp,
                                     std::vector<std::string> args) {
  testbed::PodSpec spec;
  spec.ns = ns;
  spec.owner = owner;
  spec.args = std::move(args);
  spec.seccomp = std::move(seccomp);
  spec.seccomp_profile =
      nlohmann::json{{"type", "Localhost"}, {"localhostProfile", localhost_profile}};
  return spec;
}

// The tailor.dev/state label of the workload's SeccompProfile `name`, as
// `kubectl get seccompprofiles -L tailor.dev/state` shows it; "" when there is none.
inline std::string profile_state(const testbed::TestApiServer& server, const std::string& name) {
  auto listed = testbed::run_kubectl(
      server, {"get", "seccompprofiles", "-L", "tailor.dev/state", "--no-headers", name});
  if (!listed || listed->exit_status != 0) return "";
  std::istringstream words(listed->out);
  std::vector<std::string> columns{std::istream_iterator<std::string>(words), {}};
  return columns.empty() ? "" : columns.back();
}

}  // namespace tailor::testing
