#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/profile/oci.h"
#include "common/profile/runtime_needs.h"
#include "common/report/report.h"

namespace tailor::common {

// How far a profile restricts syscall arguments (docs/profiles.md).
//  off:      names only.
//  standard: (default) rules a workload that behaves as recorded never trips: socket and
//            socketpair families, namespace flags of clone/unshare/setns, personality
//            values, clone3 answered with ENOSYS so libc falls back to clone.
//  strict:   also prctl options, ioctl requests, bpf/ptrace/keyctl operations.
enum class ArgLevel { off, standard, strict };
std::string_view arg_level_name(ArgLevel level);
Result<ArgLevel> parse_arg_level(std::string_view name);

struct GenerateOptions {
  // More architectures for the profile, as parse_arch() reads them, e.g. to run the recorded
  // workload on arm64 nodes too. The one list of names then applies to each; libseccomp
  // skips a name on an architecture that has no such syscall.
  std::vector<std::string> extra_arches;
  ArgLevel arg_level = ArgLevel::standard;
  // The container will run with no_new_privileges (allowPrivilegeEscalation: false): the
  // runtime installs the filter later and needs fewer syscalls after it.
  bool no_new_privileges = false;
  // Runtimes whose calls after installing the filter are allowed whatever the recording
  // shows, besides those it shows started the workload: a cluster's profile reaches pods on
  // nodes of any runtime.
  std::vector<Runtime> runtimes;
  // Added whatever the recording says (a user's base list).
  std::vector<std::string> always_allow;
  // Adds the syscalls that timing or chance makes (implication rules); on by default.
  bool implications = true;
};

// A syscall the profile allows that the recording did not show, and why.
struct AddedSyscall {
  std::string name;
  std::string reason;  // "runc needs it after installing the filter", "threads were created"

  bool operator==(const AddedSyscall&) const = default;
};

// A generated profile, what a person should be told about it, and what it allows beyond the
// recording.
struct GeneratedProfile {
  Profile profile;
  std::vector<std::string> warnings;
  std::vector<AddedSyscall> added;
};

// The least-privilege profile for a recording: every call the workload and the runtime after
// its filter made is allowed (the runtime's set-up calls never meet the filter), with the
// argument rules of options.arg_level, and any other call fails with EPERM. It covers the
// recording's native architecture, each compat architecture the recording used (and no other,
// so 32-bit calls stay blocked unless seen), and the extra ones asked for. A syscall libseccomp
// has no name for cannot be allowed; it is left out with a warning. docs/profiles.md says what
// is added and why.
Result<GeneratedProfile> generate_profile(const Report& report,
                                          const GenerateOptions& options = {});

}  // namespace tailor::common
