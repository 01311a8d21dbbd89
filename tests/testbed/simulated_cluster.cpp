#include "tests/testbed/simulated_cluster.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "tests/testbed/table.h"
#include "tests/testbed/uid.h"

namespace tailor::testbed {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kRootPrefix = "tailor-testbed-";

// Removes subtrees of earlier runs whose process is gone (a crashed test).
void remove_stale_roots() {
  for (const auto& mount : cgroup_mounts()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(mount, ec)) {
      const std::string name = entry.path().filename();
      if (name.rfind(kRootPrefix, 0) != 0) continue;
      const pid_t owner = std::atoi(name.c_str() + std::strlen(kRootPrefix));
      if (owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH) {
        (void)remove_cgroup_tree(entry.path());
      }
    }
  }
}

std::string suffix(size_t n) { return random_container_id().substr(0, n); }

std::string api_version_of(const std::string& kind) {
  return kind == "Job" ? "batch/v1" : "apps/v1";
}

std::string resource_of(const std::string& kind) {
  std::string plural;
  for (char c : kind) plural += static_cast<char>(std::tolower(c));
  return plural + "s";
}

// The ReplicaSet a Deployment's pods belong to: <deployment>-<template hash>.
std::string replicaset_of(const std::string& deployment) {
  return deployment + "-" + uid_for("rs/" + deployment).substr(0, 8) + "c";
}

}  // namespace

SimulatedCluster::SimulatedCluster(TestApiServer& server, std::string cgroup_mount,
                                   std::string work_dir)
    : server_(server), cgroup_mount_(std::move(cgroup_mount)), work_dir_(std::move(work_dir)) {
  static int counter = 0;
  root_ =
      "/" + std::string(kRootPrefix) + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

common::Result<std::unique_ptr<SimulatedCluster>> SimulatedCluster::create(TestApiServer& server) {
  if (auto why = runtime_unavailable(OciRuntime::kRunc)) return common::make_error(*why);
  auto mount = cgroup2_mount();
  if (!mount) return mount.error();
  remove_stale_roots();
  std::string dir = (fs::temp_directory_path() / "tailor-cluster-XXXXXX").string();
  if (!mkdtemp(dir.data())) return common::make_error("cannot create a temporary directory");
  return std::unique_ptr<SimulatedCluster>(new SimulatedCluster(server, *mount, dir));
}

SimulatedCluster::~SimulatedCluster() { (void)teardown(); }

common::Result<const SimulatedNode*> SimulatedCluster::add_node(const std::string& name,
                                                                CgroupDriver driver,
                                                                CriFlavor cri) {
  if (nodes_.count(name)) return common::make_error("node " + name + " exists");
  SimulatedNode node{name, driver, cri, root_ + "/" + name, cgroup_mount_ + root_ + "/" + name};
  std::error_code ec;
  fs::create_directories(node.cgroup_dir, ec);
  if (ec)
    return common::make_error("cannot create cgroup " + node.cgroup_dir + ": " + ec.message());
  const json object = {
      {"metadata",
       {{"name", name},
        {"uid", uid_for("node/" + name)},
        {"labels", {{"kubernetes.io/hostname", name}, {"kubernetes.io/os", "linux"}}}}},
      {"spec", json::object()},
      {"status",
       {{"conditions",
         {{{"type", "Ready"},
           {"status", "True"},
           {"reason", "KubeletReady"},
           {"lastTransitionTime", now_rfc3339()}}}},
        {"addresses",
         {{{"type", "InternalIP"}, {"address", "127.0.0.1"}},
          {{"type", "Hostname"}, {"address", name}}}},
        {"nodeInfo",
         {{"kubeletVersion", "v1.32.0"},
          {"containerRuntimeVersion",
           cri == CriFlavor::kContainerd ? "containerd://1.7.24" : "cri-o://1.32.0"},
          {"operatingSystem", "linux"},
          {"architecture", "amd64"}}}}}};
  if (auto put = server_.put_object("v1", "nodes", object); !put) return put.error();
  return &nodes_.emplace(name, std::move(node)).first->second;
}

json SimulatedCluster::owner_reference(const std::string& ns, const Owner& owner) const {
  const bool via_rs = owner.kind == "Deployment";
  const std::string kind = via_rs ? "ReplicaSet" : owner.kind;
  const std::string name = via_rs ? replicaset_of(owner.name) : owner.name;
  const auto object = server_.get_object(api_version_of(kind), resource_of(kind), ns, name);
  return {{"apiVersion", api_version_of(kind)},
          {"kind", kind},
          {"name", name},
          {"uid", object ? object->at("metadata").value("uid", "") : ""},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

common::Status SimulatedCluster::ensure_owner(const std::string& ns, const Owner& owner) {
  const auto put = [&](const std::string& kind, const std::string& name, json extra_meta) {
    if (server_.get_object(api_version_of(kind), resource_of(kind), ns, name))
      return common::ok_status();
    json object = {{"metadata", {{"name", name}, {"namespace", ns}}},
                   {"spec", {{"selector", {{"matchLabels", {{"app", owner.name}}}}}}}};
    object["metadata"].update(extra_meta);
    auto stored = server_.put_object(api_version_of(kind), resource_of(kind), object);
    if (!stored) return common::Status(stored.error());
    return common::ok_status();
  };
  if (owner.kind == "Deployment") {
    if (auto s = put("Deployment", owner.name, json::object()); !s) return s;
    return put("ReplicaSet", replicaset_of(owner.name),
               {{"ownerReferences",
                 {{{"apiVersion", "apps/v1"},
                   {"kind", "Deployment"},
                   {"name", owner.name},
                   {"uid", server_.get_object("apps/v1", "deployments", ns, owner.name)
                               ->at("metadata")
                               .value("uid", "")},
                   {"controller", true},
                   {"blockOwnerDeletion", true}}}}});
  }
  if (owner.kind == "ReplicaSet" || owner.kind == "StatefulSet" || owner.kind == "DaemonSet" ||
      owner.kind == "Job") {
    return put(owner.kind, owner.name, json::object());
  }
  return common::make_error("unsupported owner kind " + owner.kind);
}

json SimulatedCluster::pod_object(const SimulatedPod& pod, const std::string& phase) const {
  const SimulatedNode& node = nodes_.at(pod.node);
  const auto& spec = pod.spec;
  json labels = {{"app", spec.owner.name}};
  if (spec.owner.kind == "Deployment")
    labels["pod-template-hash"] = replicaset_of(spec.owner.name).substr(spec.owner.name.size() + 1);
  if (spec.owner.kind == "Job") labels["job-name"] = spec.owner.name;
  for (const auto& [k, v] : spec.labels) labels[k] = v;
  json resources = json::object();
  if (spec.qos == QosClass::kGuaranteed) {
    resources = {{"requests", {{"cpu", "100m"}, {"memory", "64Mi"}}},
                 {"limits", {{"cpu", "100m"}, {"memory", "64Mi"}}}};
  } else if (spec.qos == QosClass::kBurstable) {
    resources = {{"requests", {{"cpu", "50m"}}}};
  }
  const bool running = pod.container != nullptr;
  json state =
      running ? json{{"running", {{"startedAt", now_rfc3339()}}}}
              : json{{"terminated",
                      {{"exitCode", 137}, {"reason", "Error"}, {"finishedAt", now_rfc3339()}}}};
  json object = {
      {"metadata",
       {{"name", spec.name},
        {"namespace", spec.ns},
        {"uid", pod.uid},
        {"labels", labels},
        {"ownerReferences", {owner_reference(spec.ns, spec.owner)}}}},
      {"spec",
       {{"nodeName", pod.node},
        {"serviceAccountName", "default"},
        {"restartPolicy", spec.owner.kind == "Job" ? "Never" : "Always"},
        {"containers",
         {{{"name", spec.container_name},
           {"image", "docker.io/library/busybox:1.36"},
           {"command", spec.args},
           {"resources", resources}}}}}},
      {"status",
       {{"phase", phase},
        {"qosClass", qos_name(spec.qos)},
        {"hostIP", "127.0.0.1"},
        {"podIP", "127.0.0.1"},
        {"startTime", now_rfc3339()},
        {"containerStatuses",
         {{{"name", spec.container_name},
           {"containerID", container_id_uri(node.cri, pod.container ? pod.container->id() : "")},
           {"image", "docker.io/library/busybox:1.36"},
           {"imageID", "docker.io/library/busybox@sha256:" + uid_for("busybox")},
           {"ready", running},
           {"started", running},
           {"restartCount", pod.restarts},
           {"state", state}}}}}}};
  if (spec.seccomp_profile)
    object["spec"]["securityContext"] = {{"seccompProfile", *spec.seccomp_profile}};
  return object;
}

common::Status SimulatedCluster::run_container(SimulatedPod& pod) {
  const SimulatedNode& node = nodes_.at(pod.node);
  ContainerSpec c;
  c.runtime = pod.spec.runtime;
  c.id = random_container_id();
  c.args = pod.spec.args;
  c.seccomp = pod.spec.seccomp;
  c.host_binds = pod.spec.host_binds;
  c.cgroup_path =
      node.cgroup_root + container_cgroup(node.driver, node.cri, pod.spec.qos, pod.uid, c.id);
  auto started = OciContainer::start(std::move(c), work_dir_);
  if (!started) return started.error();
  pod.container = std::move(*started);
  return common::ok_status();
}

common::Result<const SimulatedPod*> SimulatedCluster::start_pod(const std::string& node,
                                                                PodSpec spec) {
  if (!nodes_.count(node)) return common::make_error("no node " + node);
  if (auto s = ensure_owner(spec.ns, spec.owner); !s) return s.error();
  if (spec.name.empty()) {
    if (spec.owner.kind == "Deployment") {
      spec.name = replicaset_of(spec.owner.name) + "-" + suffix(5);
    } else if (spec.owner.kind == "StatefulSet") {
      size_t ordinal = 0;
      while (pods_.count({spec.ns, spec.owner.name + "-" + std::to_string(ordinal)})) ++ordinal;
      spec.name = spec.owner.name + "-" + std::to_string(ordinal);
    } else {
      spec.name = spec.owner.name + "-" + suffix(5);
    }
  }
  const auto key = std::make_pair(spec.ns, spec.name);
  if (pods_.count(key)) return common::make_error("pod " + spec.ns + "/" + spec.name + " exists");
  auto pod = std::make_unique<SimulatedPod>();
  pod->spec = std::move(spec);
  pod->node = node;
  pod->uid = random_uid();
  if (auto s = run_container(*pod); !s) return s.error();
  if (auto put = server_.put_object("v1", "pods", pod_object(*pod, "Running")); !put)
    return put.error();
  return pods_.emplace(key, std::move(pod)).first->second.get();
}

common::Status SimulatedCluster::kill_pod(const std::string& ns, const std::string& name) {
  auto it = pods_.find({ns, name});
  if (it == pods_.end()) return common::make_error("no pod " + ns + "/" + name);
  SimulatedPod& pod = *it->second;
  if (!pod.container) return common::ok_status();
  (void)pod.container->kill(SIGKILL);
  (void)pod.container->wait_stopped();
  const std::string id = pod.container->id();
  auto status = pod.container->remove();
  pod.container.reset();
  json object = pod_object(pod, "Running");
  object["status"]["containerStatuses"][0]["containerID"] =
      container_id_uri(nodes_.at(pod.node).cri, id);
  if (auto put = server_.put_object("v1", "pods", object); !put) return put.error();
  return status;
}

common::Result<const SimulatedPod*> SimulatedCluster::restart_pod(const std::string& ns,
                                                                  const std::string& name) {
  auto it = pods_.find({ns, name});
  if (it == pods_.end()) return common::make_error("no pod " + ns + "/" + name);
  SimulatedPod& pod = *it->second;
  if (pod.container) {
    if (auto s = kill_pod(ns, name); !s) return s.error();
  }
  ++pod.restarts;
  if (auto s = run_container(pod); !s) return s.error();
  if (auto put = server_.put_object("v1", "pods", pod_object(pod, "Running")); !put)
    return put.error();
  return &pod;
}

common::Result<const SimulatedPod*> SimulatedCluster::reschedule_pod(const std::string& ns,
                                                                     const std::string& name,
                                                                     const std::string& node) {
  auto it = pods_.find({ns, name});
  if (it == pods_.end()) return common::make_error("no pod " + ns + "/" + name);
  PodSpec spec = it->second->spec;
  // Controllers name the replacement anew, except a StatefulSet, which reuses the name.
  if (spec.owner.kind != "StatefulSet") spec.name.clear();
  if (auto s = delete_pod(ns, name); !s) return s.error();
  return start_pod(node, std::move(spec));
}

common::Status SimulatedCluster::delete_pod(const std::string& ns, const std::string& name) {
  auto it = pods_.find({ns, name});
  if (it == pods_.end()) return common::make_error("no pod " + ns + "/" + name);
  common::Status status = common::ok_status();
  if (it->second->container) status = it->second->container->remove();
  server_.delete_object("v1", "pods", ns, name);
  pods_.erase(it);
  return status;
}

const SimulatedPod* SimulatedCluster::pod(const std::string& ns, const std::string& name) const {
  auto it = pods_.find({ns, name});
  return it == pods_.end() ? nullptr : it->second.get();
}

const SimulatedNode* SimulatedCluster::node(const std::string& name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<const SimulatedPod*> SimulatedCluster::pods() const {
  std::vector<const SimulatedPod*> out;
  for (const auto& [key, pod] : pods_) out.push_back(pod.get());
  return out;
}

std::string SimulatedCluster::container_cgroup_dir(const SimulatedPod& pod) const {
  const SimulatedNode& node = nodes_.at(pod.node);
  return cgroup_mount_ + node.cgroup_root +
         container_cgroup(node.driver, node.cri, pod.spec.qos, pod.uid, pod.container_id());
}

common::Status SimulatedCluster::teardown() {
  if (torn_down_) return common::ok_status();
  torn_down_ = true;
  common::Status result = common::ok_status();
  for (auto& [key, pod] : pods_) {
    if (pod->container) {
      if (auto s = pod->container->remove(); !s && result) result = s;
    }
    server_.delete_object("v1", "pods", key.first, key.second);
  }
  pods_.clear();
  for (const auto& [name, node] : nodes_) server_.delete_object("v1", "nodes", "", name);
  // runc also made the parents in every v1 hierarchy of a hybrid host.
  for (const auto& mount : cgroup_mounts()) {
    if (auto s = remove_cgroup_tree(mount + root_); !s && result) result = s;
  }
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
  return result;
}

}  // namespace tailor::testbed
