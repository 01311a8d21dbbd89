#include "common/syscalls/categories.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "common/syscalls/names.h"
#include "tests/common/testing/error_of.h"

namespace tailor::common {
namespace {

using ::testing::HasSubstr;

TEST(CategoriesTest, GroupsSyscallsByArea) {
  const std::pair<const char*, Category> cases[] = {
      {"openat", Category::file},
      {"getdents64", Category::file},
      {"socket", Category::network},
      {"socketcall", Category::network},
      {"execve", Category::process},
      {"rt_sigaction", Category::process},
      {"mmap", Category::memory},
      {"futex", Category::ipc},
      {"clock_gettime", Category::time},
      {"mount", Category::security_sensitive},
      // 32-bit variants are found by their base name.
      {"chown32", Category::file},
      {"fstat64", Category::file},
      {"clock_gettime64", Category::time},
      {"futex_time64", Category::ipc},
      {"clock_settime64", Category::security_sensitive},
      // Unlisted names, a syscall from the future among them, are other.
      {"getrandom", Category::other},
      {"a_syscall_from_the_future", Category::other},
      {"", Category::other},
  };
  for (const auto& [name, category] : cases) EXPECT_EQ(category_of(name), category) << name;
}

TEST(CategoriesTest, FlagsSecuritySensitiveCalls) {
  for (const char* name : {"mount",
                           "umount2",
                           "ptrace",
                           "bpf",
                           "keyctl",
                           "add_key",
                           "request_key",
                           "unshare",
                           "setns",
                           "kexec_load",
                           "kexec_file_load",
                           "init_module",
                           "finit_module",
                           "delete_module",
                           "pivot_root",
                           "chroot",
                           "perf_event_open",
                           "process_vm_readv",
                           "process_vm_writev",
                           "open_by_handle_at",
                           "userfaultfd",
                           "iopl",
                           "ioperm",
                           "swapon",
                           "swapoff",
                           "reboot",
                           "acct",
                           "settimeofday",
                           "clock_settime",
                           "personality",
                           "lookup_dcookie",
                           "fanotify_init",
                           "quotactl",
                           "mount_setattr",
                           "fsopen",
                           "fsmount",
                           "move_mount",
                           "open_tree",
                           "name_to_handle_at",
                           "syslog",
                           "vhangup",
                           "io_uring_setup"}) {
    EXPECT_TRUE(is_security_sensitive(name)) << name;
  }
  for (const char* name : {"read", "openat", "clone", "execve", "getrandom"}) {
    EXPECT_FALSE(is_security_sensitive(name)) << name;
  }
}

// The HTML report shows why each sensitive call is one: every name libseccomp knows that is
// sensitive has a reason, and no other name has one.
TEST(CategoriesTest, EverySecuritySensitiveCallSaysWhy) {
  std::size_t sensitive = 0;
  for (const char* arch : {"x86_64", "x86", "aarch64"}) {
    for (uint32_t nr = 0; nr < 1024; ++nr) {
      const auto name = syscall_name(arch, nr);
      ASSERT_TRUE(name.ok()) << name.error().message;
      if (!*name) continue;
      SCOPED_TRACE(**name);
      EXPECT_EQ(is_security_sensitive(**name), !sensitivity_reason(**name).empty());
      sensitive += is_security_sensitive(**name);
    }
  }
  EXPECT_GT(sensitive, 50u);
  EXPECT_THAT(std::string(sensitivity_reason("clock_settime64")), HasSubstr("clock"));
  EXPECT_THAT(std::string(sensitivity_reason("open_by_handle_at")), HasSubstr("shocker"));
  EXPECT_EQ(sensitivity_reason("read"), "");
}

TEST(CategoriesTest, NamesRoundTripInDisplayOrder) {
  const auto categories = all_categories();
  ASSERT_EQ(categories.size(), 8u);
  EXPECT_EQ(categories.front(), Category::file);
  EXPECT_EQ(categories.back(), Category::other);
  for (Category category : categories) {
    EXPECT_EQ(parse_category(category_name(category)).value(), category);
  }
  EXPECT_EQ(category_name(Category::security_sensitive), "security-sensitive");
}

TEST(CategoriesTest, UnknownCategoryListsTheValidOnes) {
  EXPECT_EQ(testing::error_of(parse_category("disk")),
            "unknown category \"disk\"; valid: file, network, process, memory, ipc, time, "
            "security-sensitive, other");
}

}  // namespace
}  // namespace tailor::common
