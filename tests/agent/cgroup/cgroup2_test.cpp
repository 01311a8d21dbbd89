#include "agent/cgroup/cgroup2.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

fs::path write_mountinfo(const std::string& text) {
  const fs::path path =
      fs::temp_directory_path() / ("tailor-mountinfo-" + std::to_string(::getpid()));
  std::ofstream(path) << text;
  return path;
}

TEST(Cgroup2Detect, FindsTheUnifiedMountOnAHybridHost) {
  const auto path = write_mountinfo(
      "30 24 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
      "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
      "32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  auto cgroups = Cgroup2::detect(path.string());
  ASSERT_TRUE(cgroups) << cgroups.error().message;
  EXPECT_EQ(cgroups->mount(), "/sys/fs/cgroup/unified");
  fs::remove(path);
}

TEST(Cgroup2Detect, FindsAPureV2MountAndUnescapesBlanks) {
  const auto path = write_mountinfo("31 24 0:27 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
  auto cgroups = Cgroup2::detect(path.string());
  ASSERT_TRUE(cgroups) << cgroups.error().message;
  EXPECT_EQ(cgroups->mount(), "/sys/fs/my cgroup");
  fs::remove(path);
}

TEST(Cgroup2Detect, NoCgroup2MountIsAnActionableError) {
  const auto path =
      write_mountinfo("32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  auto cgroups = Cgroup2::detect(path.string());
  ASSERT_FALSE(cgroups);
  EXPECT_NE(cgroups.error().message.find("mount -t cgroup2"), std::string::npos);
  fs::remove(path);
}

TEST(Cgroup2Paths, AbsoluteAndRelativeRoundTrip) {
  const Cgroup2 cgroups("/sys/fs/cgroup/unified");
  EXPECT_EQ(cgroups.absolute("/kubepods/pod1"), "/sys/fs/cgroup/unified/kubepods/pod1");
  EXPECT_EQ(cgroups.absolute("kubepods/pod1"), "/sys/fs/cgroup/unified/kubepods/pod1");
  EXPECT_EQ(cgroups.relative("/sys/fs/cgroup/unified/kubepods/pod1"), "/kubepods/pod1");
  EXPECT_EQ(cgroups.relative("/sys/fs/cgroup/unified"), "/");
}

TEST(Cgroup2Ids, IdIsTheDirectoryInodeAndMissingIsAnError) {
  const fs::path root = fs::temp_directory_path() / ("tailor-ids-" + std::to_string(::getpid()));
  fs::create_directories(root / "a");
  const Cgroup2 cgroups(root);
  auto id = cgroups.id_of("/a");
  ASSERT_TRUE(id);
  struct stat st {};
  ASSERT_EQ(::stat((root / "a").c_str(), &st), 0);
  EXPECT_EQ(*id, st.st_ino);
  EXPECT_FALSE(cgroups.id_of("/missing"));
  fs::remove_all(root);
}

TEST(Cgroup2Resolve, AcceptsBothFormsUsersPasteAndRefusesOthersInOneLine) {
  const fs::path root =
      fs::temp_directory_path() / ("tailor-resolve-" + std::to_string(::getpid()));
  fs::create_directories(root / "kubepods" / "pod1");
  const Cgroup2 cgroups(root);
  for (const std::string& given : {std::string("/kubepods/pod1"), std::string("kubepods/pod1/"),
                                   (root / "kubepods/pod1").string()}) {
    auto resolved = cgroups.resolve(given);
    ASSERT_TRUE(resolved) << given << ": " << resolved.error().message;
    EXPECT_EQ(*resolved, "/kubepods/pod1") << given;
  }
  EXPECT_EQ(cgroups.resolve(root.string()).value(), "/");

  const auto v1 = cgroups.resolve("/sys/fs/cgroup/memory/kubepods");
  ASSERT_FALSE(v1);
  EXPECT_NE(v1.error().message.find("is not in the cgroup2 hierarchy at " + root.string()),
            std::string::npos)
      << v1.error().message;
  const auto climbing = cgroups.resolve("/kubepods/../../etc");
  ASSERT_FALSE(climbing);
  EXPECT_NE(climbing.error().message.find("'..'"), std::string::npos) << climbing.error().message;
  const auto missing = cgroups.resolve("/kubepods/pod2");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
  for (const auto* message :
       {&v1.error().message, &climbing.error().message, &missing.error().message})
    EXPECT_EQ(message->find('\n'), std::string::npos) << *message;
  fs::remove_all(root);
}

TEST(Cgroup2Ids, APathIsFoundFromItsIdWhileTheCgroupExists) {
  if (::geteuid() != 0) FAIL() << "needs root to create cgroups and open them by handle";
  auto cgroups = Cgroup2::detect();
  ASSERT_TRUE(cgroups) << cgroups.error().message;
  const std::string path = "/tailor-ids-" + std::to_string(::getpid()) + "/pod/ctr";
  ASSERT_TRUE(cgroups->create(path));
  const auto id = cgroups->id_of(path);
  ASSERT_TRUE(id);
  auto found = cgroups->path_of_id(*id);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found, path);
  ASSERT_TRUE(cgroups->destroy("/tailor-ids-" + std::to_string(::getpid())));
  EXPECT_FALSE(cgroups->path_of_id(*id));
}

}  // namespace
}  // namespace tailor::agent
