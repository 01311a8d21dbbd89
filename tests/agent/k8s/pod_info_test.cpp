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

// A pod with the given spec and one running container of each name in `containers`.
json pod_with_spec(const json& spec, const std::vector<std::string>& containers) {
  json statuses = json::array();
  for (const auto& name : containers)
    statuses.push_back({{"name", name}, {"containerID", "containerd://id-" + name}});
  return {{"metadata", {{"namespace", "shop"}, {"name", "web-1"}, {"uid", "u-1"}}},
          {"spec", spec},
          {"status", {{"containerStatuses", statuses}}}};
}

SeccompProfileRef profile_of(const json& pod_object, const std::string& container) {
  auto pod = pod_info_from_object(pod_object);
  EXPECT_TRUE(pod) << pod.error().message;
  return pod ? pod->containers.at("id-" + container).seccomp : SeccompProfileRef{"failed", ""};
}

TEST(PodInfo, ContainerSeccompProfileOverridesThePods) {
  const json pod = pod_with_spec(json::parse(R"({
        "securityContext": {"seccompProfile": {"type": "Localhost",
                                               "localhostProfile": "operator/shop/web.json"}},
        "containers": [
          {"name": "main"},
          {"name": "runtime", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
          {"name": "open", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
          {"name": "own", "securityContext": {"seccompProfile": {
            "type": "Localhost", "localhostProfile": "operator/shop/own.json"}}},
          {"name": "no-profile", "securityContext": {"runAsUser": 1000}}]})"),
                                 {"main", "runtime", "open", "own", "no-profile"});
  EXPECT_EQ(profile_of(pod, "main"), (SeccompProfileRef{"Localhost", "operator/shop/web.json"}));
  EXPECT_EQ(profile_of(pod, "runtime"), (SeccompProfileRef{"RuntimeDefault", ""}));
  EXPECT_EQ(profile_of(pod, "open"), (SeccompProfileRef{"Unconfined", ""}));
  EXPECT_EQ(profile_of(pod, "own"), (SeccompProfileRef{"Localhost", "operator/shop/own.json"}));
  EXPECT_EQ(profile_of(pod, "no-profile"),
            (SeccompProfileRef{"Localhost", "operator/shop/web.json"}));
}

TEST(PodInfo, InitContainersTakeTheirProfileFromTheSpecToo) {
  json pod = pod_with_spec(json::parse(R"({
        "initContainers": [{"name": "setup", "securityContext": {
          "seccompProfile": {"type": "RuntimeDefault"}}}],
        "containers": [{"name": "main"}]})"),
                           {"main"});
  pod["status"]["initContainerStatuses"] = {{{"name", "setup"}, {"containerID", "cri-o://s"}}};
  auto info = pod_info_from_object(pod);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->containers.at("s").seccomp, (SeccompProfileRef{"RuntimeDefault", ""}));
  EXPECT_EQ(info->containers.at("id-main").seccomp, SeccompProfileRef{});
}

TEST(PodInfo, UnsetOrMissingSeccompProfileIsEmpty) {
  EXPECT_EQ(profile_of(pod_with_spec(json::object(), {"main"}), "main"), SeccompProfileRef{});
  EXPECT_EQ(profile_of(pod_with_spec({{"containers", {{{"name", "main"}}}}}, {"main"}), "main"),
            SeccompProfileRef{});
  // No spec at all (a status-only object): unset.
  json no_spec = pod_with_spec(json::object(), {"main"});
  no_spec.erase("spec");
  EXPECT_EQ(profile_of(no_spec, "main"), SeccompProfileRef{});
  // localhostProfile only counts with type Localhost.
  EXPECT_EQ(profile_of(pod_with_spec(json::parse(R"({"securityContext": {"seccompProfile":
              {"type": "RuntimeDefault", "localhostProfile": "x.json"}}})"),
                                     {"main"}),
                       "main"),
            (SeccompProfileRef{"RuntimeDefault", ""}));
}

// The API server rejects these; should one come anyway, the profile counts as unset (the pod is
// still recorded) and a valid pod-level profile applies.
TEST(PodInfo, MalformedSeccompProfilesAreIgnoredNotErrors) {
  const json pod =
      pod_with_spec(json::parse(R"({
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
          {"name": "unknown-type", "securityContext": {"seccompProfile": {"type": "Bogus"}}},
          {"name": "number-type", "securityContext": {"seccompProfile": {"type": 2}}},
          {"name": "not-object", "securityContext": {"seccompProfile": "Localhost"}},
          {"name": "bad-context", "securityContext": []},
          {"name": "bad-path", "securityContext": {"seccompProfile": {
            "type": "Localhost", "localhostProfile": 7}}}]})"),
                    {"unknown-type", "number-type", "not-object", "bad-context", "bad-path"});
  for (const char* name : {"unknown-type", "number-type", "not-object", "bad-context"})
    EXPECT_EQ(profile_of(pod, name), (SeccompProfileRef{"RuntimeDefault", ""})) << name;
  EXPECT_EQ(profile_of(pod, "bad-path"), (SeccompProfileRef{"Localhost", ""}));
  EXPECT_EQ(profile_of(pod_with_spec({{"securityContext", {{"seccompProfile", {{"type", "Nope"}}}}},
                                      {"containers", {{{"name", "main"}}}}},
                                     {"main"}),
                       "main"),
            SeccompProfileRef{});
}

}  // namespace
}  // namespace tailor::agent
