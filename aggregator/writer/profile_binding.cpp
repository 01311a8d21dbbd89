#include "aggregator/writer/profile_binding.h"

#include "aggregator/writer/profile_names.h"
#include "aggregator/writer/profile_object.h"
#include "common/k8s/workload_kinds.h"
#include "common/util/log.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;

common::Result<std::string> image_of(common::KubeClient& client, const common::WorkloadKey& key) {
  const std::string described = common::describe(key);
  const common::WorkloadKind* kind = common::workload_kind(key.kind);
  if (kind == nullptr) {
    return common::make_error("no image for " + described + ": Tailor does not know where " +
                              key.kind + " keeps its pod template");
  }
  auto workload = client.get(common::api_path(
      std::string(kind->api_version), std::string(kind->plural), key.namespace_name, key.name));
  if (!workload)
    return common::make_error("no image for " + described + ": " + workload.error().message);
  for (const auto& container : common::pod_containers(*workload, *kind)) {
    if (container.container->value("name", "") != key.container) continue;
    const std::string image = container.container->value("image", "");
    if (image.empty()) break;
    return image;
  }
  return common::make_error("no image for " + described +
                            ": its pod template has no such container with an image");
}

}  // namespace

common::Result<BindOutcome> bind_profile(common::KubeClient& client, const common::WorkloadKey& key,
                                         const std::string& profile) {
  auto ns = client.get(common::api_path("v1", "namespaces", "", key.namespace_name));
  if (ns.status() == 404) return BindOutcome::not_opted_in;
  if (!ns)
    return common::make_error("cannot read namespace " + key.namespace_name + ": " +
                              ns.error().message);
  const json labels = ns->value("metadata", json::object()).value("labels", json::object());
  if (labels.value(kBindLabel, "") != "true") return BindOutcome::not_opted_in;

  auto image = image_of(client, key);
  if (!image) return image.error();
  json binding = {
      {"apiVersion", kProfileBindingApiVersion},
      {"kind", "ProfileBinding"},
      {"metadata",
       {{"name", profile}, {"namespace", key.namespace_name}, {"labels", workload_labels(key)}}},
      {"spec",
       {{"profileRef", {{"kind", "SeccompProfile"}, {"name", profile}}}, {"image", *image}}}};
  const std::string collection =
      common::api_path(kProfileBindingApiVersion, "profilebindings", key.namespace_name);
  auto created = client.create(collection, binding);
  if (created) return BindOutcome::created;
  const std::string described = "ProfileBinding " + key.namespace_name + "/" + profile;
  if (created.status() != 409) {
    return common::make_error("creating " + described + ": " + created.error().message);
  }
  const std::string path =
      common::api_path(kProfileBindingApiVersion, "profilebindings", key.namespace_name, profile);
  auto existing = client.get(path);
  if (!existing)
    return common::make_error("reading " + described + ": " + existing.error().message);
  const json& metadata = existing->value("metadata", json::object());
  if (metadata.value("labels", json::object()).value(kManagedByLabel, "") != kManagedByValue) {
    return common::make_error(described + " exists and is not Tailor's (no " +
                              std::string(kManagedByLabel) + "=" + kManagedByValue +
                              " label): left alone");
  }
  if (existing->value("spec", json::object()) == binding["spec"]) return BindOutcome::unchanged;
  // A new image (the workload was upgraded since it was last stable): the resourceVersion
  // read makes a concurrent change 409 rather than be overwritten.
  binding["metadata"]["resourceVersion"] = metadata.value("resourceVersion", "");
  auto replaced = client.replace(path, binding);
  if (!replaced)
    return common::make_error("updating " + described + ": " + replaced.error().message);
  return BindOutcome::updated;
}

void bind_stable_profile(common::KubeClient& client, const common::WorkloadKey& key,
                         const std::string& profile) {
  auto bound = bind_profile(client, key, profile);
  if (!bound) {
    common::log_line(
        "warning", "no ProfileBinding for " + common::describe(key) + ": " + bound.error().message);
  } else if (*bound == BindOutcome::created || *bound == BindOutcome::updated) {
    common::log_line("info", std::string(*bound == BindOutcome::created ? "created" : "updated") +
                                 " ProfileBinding " + key.namespace_name + "/" + profile + " for " +
                                 common::describe(key));
  }
}

}  // namespace tailor::aggregator
