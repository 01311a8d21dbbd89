#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

// Recording loads BPF programs: without root the suite was started wrongly, which is a failure;
// without kernel BTF the machine lacks a feature, the one reason to skip. For SetUp and test
// bodies (both FAIL and GTEST_SKIP return from the function they are in).
#define TAILOR_REQUIRE_RECORDING()                                                            \
  do {                                                                                        \
    if (::geteuid() != 0) FAIL() << "needs root to load BPF programs; run the suite as root"; \
    if (!std::filesystem::exists("/sys/kernel/btf/vmlinux"))                                  \
      GTEST_SKIP() << "needs kernel BTF at /sys/kernel/btf/vmlinux";                          \
  } while (false)

// Kernel BTF alone, where root is checked with the reason of that test.
#define TAILOR_REQUIRE_BTF()                                         \
  do {                                                               \
    if (!std::filesystem::exists("/sys/kernel/btf/vmlinux"))         \
      GTEST_SKIP() << "needs kernel BTF at /sys/kernel/btf/vmlinux"; \
  } while (false)
