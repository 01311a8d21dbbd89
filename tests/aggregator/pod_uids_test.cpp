// Pod uids: UUIDs kept as bytes, anything else as text, and either read back as it was sent.
#include "aggregator/store/pod_uids.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tailor::aggregator {
namespace {

constexpr const char* kUuid = "3c1e6f2a-09bd-4000-8000-00000000a1f9";

TEST(PodUidsTest, AUuidIsKeptOnceAndReadBackAsSent) {
  PodUids uids;
  EXPECT_TRUE(uids.insert(kUuid));
  EXPECT_FALSE(uids.insert(kUuid));
  EXPECT_TRUE(uids.contains(kUuid));
  EXPECT_EQ(uids.size(), 1u);
  EXPECT_THAT(uids.uids(), ::testing::ElementsAre(kUuid));
}

TEST(PodUidsTest, AnyOtherUidIsKeptAsItsTextDistinctFromAUuid) {
  const std::vector<std::string> others = {
      "3C1E6F2A-09BD-4000-8000-00000000A1F9",   // upper case: not the same text as kUuid
      "3c1e6f2a-09bd-4000-8000-00000000a1fg",   // not hex
      "3c1e6f2a009bd-4000-8000-00000000a1f9",   // a dash missing
      "3c1e6f2a-09bd-4000-8000-00000000a1f9a",  // too long
      "pod-a"};
  PodUids uids;
  uids.insert(kUuid);
  for (const auto& uid : others) EXPECT_TRUE(uids.insert(uid)) << uid;
  EXPECT_EQ(uids.size(), others.size() + 1);
  std::vector<std::string> all = others;
  all.push_back(kUuid);
  EXPECT_THAT(uids.uids(), ::testing::UnorderedElementsAreArray(all));
  for (const auto& uid : all) EXPECT_TRUE(uids.contains(uid)) << uid;
}

TEST(PodUidsTest, EraseAndOrderOfInsertion) {
  PodUids forward, backward;
  const std::vector<std::string> all = {kUuid, "00000000-0000-4000-8000-000000000000", "pod-b",
                                        "pod-a"};
  for (const auto& uid : all) forward.insert(uid);
  for (auto it = all.rbegin(); it != all.rend(); ++it) backward.insert(*it);
  EXPECT_EQ(forward, backward);
  forward.erase(kUuid);
  forward.erase("pod-a");
  forward.erase("pod-unknown");
  EXPECT_THAT(forward.uids(),
              ::testing::UnorderedElementsAre("00000000-0000-4000-8000-000000000000", "pod-b"));
  EXPECT_NE(forward, backward);
}

}  // namespace
}  // namespace tailor::aggregator
