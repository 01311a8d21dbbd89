#include "common/profile/seccomp_filter.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/profile/moby_conditions.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

// runc answers an errno action without errnoRet with EPERM.
constexpr uint32_t kDefaultErrno = EPERM;

uint32_t scmp_action(Action action, std::optional<uint32_t> errno_ret) {
  switch (action) {
    case Action::kill:
      return SCMP_ACT_KILL;
    case Action::kill_process:
      return SCMP_ACT_KILL_PROCESS;
    case Action::kill_thread:
      return SCMP_ACT_KILL_THREAD;
    case Action::trap:
      return SCMP_ACT_TRAP;
    case Action::return_errno:
      return SCMP_ACT_ERRNO(errno_ret.value_or(kDefaultErrno));
    case Action::trace:
      return SCMP_ACT_TRACE(errno_ret.value_or(kDefaultErrno));
    case Action::allow:
      return SCMP_ACT_ALLOW;
    case Action::log:
      return SCMP_ACT_LOG;
    case Action::notify:
      return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL;  // only for a value outside the enum
}

scmp_compare scmp_op(ArgOp op) {
  switch (op) {
    case ArgOp::not_equal:
      return SCMP_CMP_NE;
    case ArgOp::less_than:
      return SCMP_CMP_LT;
    case ArgOp::less_or_equal:
      return SCMP_CMP_LE;
    case ArgOp::equal:
      return SCMP_CMP_EQ;
    case ArgOp::greater_or_equal:
      return SCMP_CMP_GE;
    case ArgOp::greater_than:
      return SCMP_CMP_GT;
    case ArgOp::masked_equal:
      return SCMP_CMP_MASKED_EQ;
  }
  return _SCMP_CMP_MIN;  // only for a value outside the enum; libseccomp rejects it
}

std::string rule_label(std::size_t index, const std::string& name) {
  return "syscalls[" + std::to_string(index) + "] (" + name + ")";
}

Status add_arches(scmp_filter_ctx context, const std::vector<std::string>& arches) {
  bool native_covered = false;
  for (const auto& arch : arches) {
    const auto value = seccomp_arch_value(arch);
    if (!value.ok()) return value.error();
    if (*value == seccomp_arch_native()) {
      native_covered = true;
      continue;
    }
    if (int rc = seccomp_arch_add(context, *value); rc != 0) {
      return make_error("libseccomp cannot add architecture " + arch + ": " + errno_text(-rc));
    }
  }
  if (!native_covered) {
    if (int rc = seccomp_arch_remove(context, seccomp_arch_native()); rc != 0) {
      return make_error("libseccomp cannot drop the native architecture: " + errno_text(-rc));
    }
  }
  return ok_status();
}

Status add_rule(scmp_filter_ctx context, const SyscallRule& rule, std::size_t index) {
  std::vector<scmp_arg_cmp> conditions;
  for (const auto& arg : rule.args) {
    conditions.push_back({arg.index, scmp_op(arg.op), arg.value, arg.value_two});
  }
  const uint32_t action = scmp_action(rule.action, rule.errno_ret);
  for (const auto& name : rule.names) {
    // A native number, or a pseudo-number for a name the native architecture lacks or
    // multiplexes (x86's socketcall); libseccomp translates it for each architecture and
    // skips those without the syscall.
    const int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      return make_error(rule_label(index, name) + ": libseccomp " + libseccomp_version() +
                        " knows no such syscall; remove it or use a newer libseccomp");
    }
    const int rc = seccomp_rule_add_array(
        context, action, nr, static_cast<unsigned int>(conditions.size()), conditions.data());
    if (rc != 0) {
      return make_error(rule_label(index, name) +
                        ": libseccomp refused the rule: " + errno_text(-rc));
    }
  }
  return ok_status();
}

Result<std::vector<sock_filter>> export_program(scmp_filter_ctx context, int fd) {
  if (int rc = seccomp_export_bpf(context, fd); rc != 0) {
    return make_error("libseccomp cannot export the BPF program: " + errno_text(-rc));
  }
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    return make_error("cannot size the exported BPF program: " + errno_text(errno));
  }
  std::vector<sock_filter> program(static_cast<std::size_t>(info.st_size) / sizeof(sock_filter));
  const auto bytes = static_cast<ssize_t>(program.size() * sizeof(sock_filter));
  if (pread(fd, program.data(), static_cast<std::size_t>(bytes), 0) != bytes) {
    return make_error("cannot read the exported BPF program back from its memfd");
  }
  return program;
}

}  // namespace

Result<std::vector<std::string>> covered_arches(const Profile& profile) {
  std::vector<std::string> tokens;
  if (!profile.architectures.empty()) {
    for (const auto& oci_name : profile.architectures) {
      auto token = arch_from_oci_name(oci_name);
      if (!token.ok()) return token.error();
      tokens.push_back(std::move(*token));
    }
    return tokens;
  }
  const std::string native_oci = *oci_arch_name(native_arch());
  tokens.push_back(native_arch());
  for (const auto& entry : profile.arch_map) {
    if (entry.architecture != native_oci) continue;
    for (const auto& oci_name : entry.sub_architectures) {
      // Docker's archMap names architectures older libseccomps lack; runc skips them too.
      if (auto token = arch_from_oci_name(oci_name); token.ok()) tokens.push_back(*token);
    }
  }
  return tokens;
}

void SeccompFilter::ContextDeleter::operator()(void* context) const { seccomp_release(context); }

Result<SeccompFilter> SeccompFilter::build(const Profile& profile,
                                           std::optional<Action> default_action_override) {
  const uint32_t default_action = scmp_action(
      default_action_override.value_or(profile.default_action), profile.default_errno_ret);
  Context context(seccomp_init(default_action));
  if (context == nullptr) {
    return make_error(
        "libseccomp cannot create a filter with default action " +
        std::string(action_name(default_action_override.value_or(profile.default_action))));
  }
  const auto arches = covered_arches(profile);
  if (!arches.ok()) return arches.error();
  if (auto status = add_arches(context.get(), *arches); !status.ok()) return status.error();
  for (std::size_t i = 0; i < profile.syscalls.size(); ++i) {
    const SyscallRule& rule = profile.syscalls[i];
    if (!applies_to_default_container(rule) ||
        scmp_action(rule.action, rule.errno_ret) == default_action) {
      continue;
    }
    if (auto status = add_rule(context.get(), rule, i); !status.ok()) return status.error();
  }
  return SeccompFilter(std::move(context));
}

Result<std::vector<sock_filter>> SeccompFilter::bpf_program() const {
  // libseccomp 2.5 exports to a file descriptor only.
  const int fd = memfd_create("tailor-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return make_error("cannot create a memfd for the BPF program: " + errno_text(errno));
  auto program = export_program(context_.get(), fd);
  close(fd);
  return program;
}

int SeccompFilter::install(const std::vector<sock_filter>& program) noexcept {
  // sock_fprog counts instructions in 16 bits; the kernel takes at most BPF_MAXINSNS.
  if (program.size() > BPF_MAXINSNS) return E2BIG;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  const sock_fprog fprog{.len = static_cast<unsigned short>(program.size()),
                         .filter = const_cast<sock_filter*>(program.data())};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) return errno;
  return 0;
}

}  // namespace tailor::common
