#include "common/k8s/client/watch_event_reader.h"

#include <gtest/gtest.h>

namespace tailor::common {
namespace {

TEST(WatchEventReader, JoinsEventsSplitAcrossChunks) {
  WatchEventReader reader;
  auto first = reader.feed(R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"
                           "\n"
                           R"({"type":"BOOKM)");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].type, "ADDED");
  EXPECT_EQ((*first)[0].object["metadata"]["name"], "a");
  auto second = reader.feed(R"(ARK","object":{"metadata":{"resourceVersion":"7"}}})"
                            "\n\n");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].type, "BOOKMARK");
}

TEST(WatchEventReader, GarbageIsAnError) {
  WatchEventReader reader;
  EXPECT_FALSE(reader.feed("{\"type\": \"ADDED\", \"obj\n"));
  WatchEventReader no_object;
  EXPECT_FALSE(no_object.feed("{\"type\":\"ADDED\"}\n"));
  WatchEventReader not_object;
  EXPECT_FALSE(not_object.feed("[1,2]\n"));
}

}  // namespace
}  // namespace tailor::common
