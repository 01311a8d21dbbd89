#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "agent/cgroup/cgroup2.h"

namespace tailor::testing {

// The running test's own cgroup below the cgroup2 root, "<prefix>-<pid>-<test name>" (the
// name after its parameter's '/'), so tests running at once never share one; removed with
// everything below it when the fixture goes.
class TestCgroup {
 public:
  // For SetUp, under ASSERT_NO_FATAL_FAILURE.
  void create(const std::string& prefix) {
    auto cgroups = agent::Cgroup2::detect();
    ASSERT_TRUE(cgroups) << cgroups.error().message;
    cgroups_.emplace(*cgroups);
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    path_ = prefix + "-" + std::to_string(::getpid()) + "-" + name.substr(name.find('/') + 1);
    ASSERT_TRUE(cgroups_->create(path_));
    owned_.emplace(*cgroups_, path_);
  }

  const agent::Cgroup2& cgroups() const { return *cgroups_; }
  const std::string& path() const { return path_; }

 private:
  std::optional<agent::Cgroup2> cgroups_;
  std::string path_;
  std::optional<agent::OwnedCgroup> owned_;
};

}  // namespace tailor::testing
