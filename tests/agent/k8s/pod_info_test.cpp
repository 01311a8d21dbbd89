#include "agent/k8s/pod_info.h"

#include <gtest/gtest.h>

namespace tailor::agent {
namespace {

using nlohmann::json;

const json kPod = json::parse(R"({
  "metadata": {"namespace": "shop", "name": "web-7d4f9-abcde", "uid": "u-1",
               "resourceVersion": "42", "labels": {"app": "web"},
               "annotations": {"tailor.dev/record": "true"},
               "ownerReferences": [
                 {"apiVersion": "v1", "kind": "Other", "name": "x", "uid": "o-0"},
                 {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4f9",
                  "uid": "rs-1", "controller": true}]},
  "status": {
    "initContainerStatuses": [{"name": "setup", "containerID": "cri-o://aaa"}],
    "containerStatuses": [
      {"name": "main", "containerID": "containerd://bbb",
       "lastState": {"terminated": {"containerID": "containerd://old"}}},
      {"name": "sidecar", "containerID": ""}],
    "ephemeralContainerStatuses": [{"name": "debug", "containerID": "docker://ccc"}]}
})");

TEST(PodInfo, ReadsMetadataOwnersAndContainersOfEachKind) {
  auto pod = pod_info_from_object(kPod);
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod->ns, "shop");
  EXPECT_EQ(pod->name, "web-7d4f9-abcde");
  EXPECT_EQ(pod->uid, "u-1");
  EXPECT_EQ(pod->resource_version, "42");
  EXPECT_EQ(pod->labels.at("app"), "web");
  EXPECT_EQ(pod->annotations.at("tailor.dev/record"), "true");
  ASSERT_EQ(pod->owners.size(), 2u);
  EXPECT_EQ(controlling_owner(*pod)->name, "web-7d4f9");
  const std::map<std::string, ContainerInfo> expected = {
      {"aaa", {"setup", ContainerKind::kInit}},
      {"bbb", {"main", ContainerKind::kRegular}},
      {"old", {"main", ContainerKind::kRegular}},
      {"ccc", {"debug", ContainerKind::kEphemeral}}};
  EXPECT_EQ(pod->containers, expected);
}

TEST(PodInfo, UnknownIdUnderAKnownPodIsTheSandbox) {
  auto pod = pod_info_from_object(kPod);
  ASSERT_TRUE(pod);
  EXPECT_FALSE(is_sandbox(*pod, "bbb"));
  EXPECT_FALSE(is_sandbox(*pod, "old"));
  EXPECT_TRUE(is_sandbox(*pod, "pause"));
  EXPECT_FALSE(is_sandbox(*pod, ""));  // the pod's own cgroup
}

TEST(PodInfo, MalformedObjectsAreErrors) {
  EXPECT_FALSE(pod_info_from_object(json::array()));
  EXPECT_FALSE(pod_info_from_object({{"metadata", {{"name", "x"}}}}));
  EXPECT_FALSE(pod_info_from_object({{"metadata", 3}}));
}

TEST(ContainerIdFromUri, StripsTheScheme) {
  EXPECT_EQ(container_id_from_uri("containerd://abc"), "abc");
  EXPECT_EQ(container_id_from_uri("cri-o://abc"), "abc");
  EXPECT_EQ(container_id_from_uri("docker://abc"), "abc");
  EXPECT_FALSE(container_id_from_uri(""));
  EXPECT_FALSE(container_id_from_uri("abc"));
  EXPECT_FALSE(container_id_from_uri("containerd://"));
}

}  // namespace
}  // namespace tailor::agent
