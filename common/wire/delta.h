#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/report/denied.h"
#include "common/report/report.h"
#include "common/util/result.h"
#include "common/wire/workload_key.h"

namespace tailor::common {

// What a node agent sends the aggregator: the syscalls its workloads made that the aggregator
// has not acknowledged yet. The JSON layout, delivery semantics and limits are in
// docs/wire-format.md.

// One syscall of one workload. Counts are cumulative for the sending agent, never increments:
// a receiver keeps the largest count per (agent id, workload, arch, nr, phase) and a batch sent
// twice changes nothing.
struct DeltaSyscall {
  std::string arch;  // libseccomp token
  uint32_t nr = 0;
  std::string name;  // empty when libseccomp knows none
  Phase phase = Phase::workload;
  uint64_t count = 0;  // calls since the agent started
  int64_t first_seen_unix_ms = 0;
  // Only the values that are new or whose count grew, with cumulative counts. `complete` is
  // false once the recorder ran out of room for this syscall's values.
  std::optional<RecordedArg> arg;
  // Distinct pods of the workload on this node whose container made the call since the agent
  // started: cumulative like `count`. Pods live on one node, so the sum over nodes counts each
  // pod once. 0: not reported.
  uint32_t pods = 0;

  SyscallId id() const { return {arch, nr, phase}; }
  bool operator==(const DeltaSyscall&) const = default;
};

// One syscall a seccomp filter denied in this workload container. Cumulative like
// DeltaSyscall: a receiver keeps the largest count per (agent id, workload, arch, nr, action).
struct DeltaDenial {
  std::string arch;  // libseccomp token
  uint32_t nr = 0;
  std::string name;  // empty when libseccomp knows none; must match nr like syscalls
  DenialAction action = DenialAction::errno_ret;
  uint64_t count = 0;  // denials since the agent started
  int64_t first_seen_unix_ms = 0;
  std::string first_pod;   // uid of the pod first denied ("" unknown)
  std::string first_comm;  // its process name ("" unknown)

  bool operator==(const DeltaDenial&) const = default;
};

// How this workload container's pods on this node run now. Not cumulative: a receiver keeps
// the latest per (agent id, workload).
struct DeltaEnforcement {
  // The container's effective securityContext.seccompProfile.localhostProfile when its type
  // is Localhost, else "".
  std::string localhost_profile;
  std::string profile_type;  // "Localhost", "RuntimeDefault", "Unconfined", "" (unset)
  uint32_t pods = 0;         // running pods of it on this node
  // Of those, pods whose container processes run in seccomp filter mode ("Seccomp: 2" in
  // /proc/PID/status).
  uint32_t pods_filtered = 0;

  bool operator==(const DeltaEnforcement&) const = default;
};

struct WorkloadDelta {
  WorkloadKey key;
  std::vector<std::string> pods;  // uids of the pods first seen since the last acknowledged batch
  std::vector<DeltaSyscall> syscalls;
  std::vector<DeltaDenial> denied;  // new or grown since the last ack, cumulative counts
  // Sent when it changes, and once per agent run.
  std::optional<DeltaEnforcement> enforcement;

  bool operator==(const WorkloadDelta&) const = default;
};

// One run of an agent: a restarted agent has a new id, so its counts start again from zero
// without looking smaller than the ones it sent before.
struct AgentIdentity {
  std::string id;
  int64_t started_unix_ms = 0;

  bool operator==(const AgentIdentity&) const = default;
};

struct Delta {
  static constexpr int kFormatVersion = 1;
  static constexpr const char* kFormatName = "tailor.delta";

  std::string node;
  AgentIdentity agent;
  uint64_t seq = 0;  // increases by one per batch of an agent id, from 1
  std::vector<WorkloadDelta> workloads;

  bool operator==(const Delta&) const = default;
};

// The most a decoded delta may hold. The aggregator decodes untrusted input with these, so
// each bounds memory or work; an error names the limit that was exceeded.
struct DeltaLimits {
  std::size_t max_document_bytes = 8 << 20;
  std::size_t max_depth = 16;  // nesting of arrays and objects; a valid delta needs 8
  std::size_t max_workloads = 1024;
  std::size_t max_pods_per_workload = 1024;
  // 576 numbers per recorder set, several architectures and phases per container.
  std::size_t max_syscalls_per_workload = 4096;
  std::size_t max_values_per_arg = 1024;
  std::size_t max_denied_per_workload = 4096;  // like syscalls, times four actions at most
  std::size_t max_string_bytes = 253;          // a Kubernetes DNS subdomain name
  // enforcement.localhost_profile: a path under the kubelet's seccomp root, not a name.
  std::size_t max_profile_path_bytes = 4096;
};

// Syscall numbers above this exist on no architecture libseccomp knows.
constexpr uint32_t kMaxSyscallNr = 1023;

// Compact JSON (no indentation, no final newline).
std::string encode_delta(const Delta& delta);

// Validates every field; the error names the field's path or the exceeded limit. A newer
// format version is rejected with a reason rather than guessed at.
Result<Delta> decode_delta(std::string_view json_text, const DeltaLimits& limits = {});

}  // namespace tailor::common
