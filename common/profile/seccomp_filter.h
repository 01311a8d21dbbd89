#pragma once

#include <linux/filter.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/profile/oci.h"
#include "common/util/result.h"

namespace tailor::common {

// The architectures (libseccomp tokens) a profile covers on this host, as runc and Docker read
// it: `architectures`; when that is empty, the archMap entry of the native architecture with
// its sub-architectures; when there is none, the native architecture alone.
Result<std::vector<std::string>> covered_arches(const Profile& profile);

// A profile compiled by libseccomp into a classic BPF program: built, not loaded.
class SeccompFilter {
 public:
  // Builds as Docker does for a container with its default capabilities: a rule whose Moby
  // conditions leave it out there is skipped (applies_to_default_container()), so is a rule
  // that does what the default action does (libseccomp refuses those),
  // and a name is skipped on a covered architecture that lacks it. A name libseccomp knows on
  // no architecture is an Error. `default_action_override` replaces the profile's default
  // action, e.g. with log to audit what the profile would deny.
  static Result<SeccompFilter> build(const Profile& profile,
                                     std::optional<Action> default_action_override = {});

  Result<std::vector<sock_filter>> bpf_program() const;

  // Sets no_new_privs and loads `program` into the calling thread, for a forked child before
  // execve: raw syscalls only, no allocation, async-signal-safe. Returns 0, or the errno of
  // the call that failed; an Error could not be built without allocating.
  static int install(const std::vector<sock_filter>& program) noexcept;

 private:
  struct ContextDeleter {
    void operator()(void* context) const;
  };
  using Context = std::unique_ptr<void, ContextDeleter>;

  explicit SeccompFilter(Context context) : context_(std::move(context)) {}

  Context context_;  // a scmp_filter_ctx
};

}  // namespace tailor::common
