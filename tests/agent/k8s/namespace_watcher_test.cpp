#include "agent/k8s/namespace_watcher.h"

#include "agent/k8s/selection.h"
#include "tests/agent/k8s/api_fixture.h"

namespace tailor::agent {
namespace {

using nlohmann::json;

class NamespaceWatcherTest : public ApiFixture {
 protected:
  void put_namespace(const std::string& name, const Labels& labels) {
    json object = {{"metadata", {{"name", name}, {"labels", labels}}}};
    auto stored = server_->put_object("v1", "namespaces", object);
    ASSERT_TRUE(stored) << stored.error().message;
  }
};

TEST_F(NamespaceWatcherTest, LabelsFollowTheNamespacesAndDriveSelection) {
  put_namespace("shop", {{"tailor.dev/record", "true"}});
  put_namespace("blog", {});
  std::mutex mu;
  std::vector<std::string> changed;
  NamespaceWatcher watcher(*client_, fast_reflector(),
                           [&](const std::string& ns, const Labels& labels) {
                             std::lock_guard lock(mu);
                             changed.push_back(ns + (labels.empty() ? " -" : " +"));
                           });
  watcher.start();
  ASSERT_TRUE(watcher.wait_synced(std::chrono::seconds(10)));
  EXPECT_EQ(watcher.labels("shop").at("tailor.dev/record"), "true");
  EXPECT_TRUE(watcher.labels("blog").empty());
  EXPECT_TRUE(watcher.labels("unknown").empty());

  PodInfo pod;
  pod.ns = "blog";
  EXPECT_EQ(select_pod(pod, watcher.labels("blog"), {}), Selection::kNotOptedIn);
  put_namespace("blog", {{"tailor.dev/record", "true"}});
  ASSERT_TRUE(wait_until([&] { return !watcher.labels("blog").empty(); }));
  EXPECT_EQ(select_pod(pod, watcher.labels("blog"), {}), Selection::kRecord);

  ASSERT_TRUE(server_->delete_object("v1", "namespaces", "", "shop"));
  ASSERT_TRUE(wait_until([&] { return watcher.labels("shop").empty(); }));
  std::lock_guard lock(mu);
  EXPECT_NE(std::find(changed.begin(), changed.end(), "blog +"), changed.end());
  EXPECT_NE(std::find(changed.begin(), changed.end(), "shop -"), changed.end());
}

}  // namespace
}  // namespace tailor::agent
