#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/commands/commands.h"
#include "agent/commands/output.h"
#include "common/k8s/client/cluster_config.h"
#include "common/k8s/client/kube_client.h"
#include "common/k8s/profile_names.h"
#include "common/k8s/seccomp_profile_object.h"
#include "common/k8s/workload_kinds.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

using nlohmann::json;

struct EnforcePatchOptions {
  std::string kubeconfig;
  std::string namespace_name;
  std::string workload;  // kind/name
  std::string container;
  bool force = false;
};

// A container of the workload and the SeccompProfile Tailor wrote for it.
struct Target {
  std::string list;  // containers or initContainers
  std::string container;
  std::string profile;            // its metadata.name
  std::string localhost_profile;  // where SPO puts it on the node
  std::string state;              // its tailor.dev/state
};

// The profile as the aggregator writes it: v1 is cluster-scoped; SPO before v1 served only the
// namespaced v1beta1, so a 404 there is looked for in the workload's namespace.
common::Result<std::optional<Target>> find_profile(common::KubeClient& client,
                                                   const common::WorkloadKey& key) {
  const std::string name = common::profile_name(key);
  for (const std::string& ns : {std::string(), key.namespace_name}) {
    const std::string version = ns.empty() ? "v1" : "v1beta1";
    auto object = client.get(common::api_path(std::string(common::kSpoGroup) + "/" + version,
                                              "seccompprofiles", ns, name));
    if (object.status() == 404) continue;
    if (!object)
      return common::make_error("cannot read SeccompProfile " + name + ": " +
                                object.error().message);
    const json labels = object->value("metadata", json::object()).value("labels", json::object());
    const auto state = labels.find(common::kStateLabel);
    return std::optional<Target>(
        Target{"", key.container, name, common::spo_localhost_profile(ns, name),
               state != labels.end() && state->is_string() ? state->get<std::string>()
                                                           : std::string("(none)")});
  }
  return std::optional<Target>();
}

// The strategic-merge patch: containers are merged by name, so only the seccompProfile of
// the named ones changes.
json patch_of(const common::WorkloadKind& kind, const std::vector<Target>& targets) {
  json pod_spec = json::object();
  for (const auto& target : targets) {
    pod_spec[target.list].push_back(
        {{"name", target.container},
         {"securityContext",
          {{"seccompProfile",
            {{"type", "Localhost"}, {"localhostProfile", target.localhost_profile}}}}}});
  }
  json patch = json::object();
  patch[json::json_pointer(std::string(kind.pod_spec))] = std::move(pod_spec);
  return patch;
}

// The containers to patch (`only`, or every one with a profile) with their profiles; an error
// when one is missing. `workload` names the workload, without a container.
common::Result<std::vector<Target>> targets_of(common::KubeClient& client, const json& object,
                                               const common::WorkloadKind& kind,
                                               common::WorkloadKey workload,
                                               const std::string& only,
                                               const std::string& described) {
  std::vector<Target> targets;
  std::string missing;  // "container (profile name)", ", "-separated
  bool listed = false;
  for (const auto& container : common::pod_containers(object, kind)) {
    workload.container = container.container->at("name").get<std::string>();
    if (!only.empty() && workload.container != only) continue;
    listed = true;
    auto found = find_profile(client, workload);
    if (!found) return found.error();
    if (*found) {
      (*found)->list = container.list;
      targets.push_back(std::move(**found));
    } else {
      missing += (missing.empty() ? "" : ", ") + workload.container + " (" +
                 common::profile_name(workload) + ")";
    }
  }
  if (!listed) {
    return common::make_error(described +
                              (only.empty() ? " has no containers" : " has no container " + only));
  }
  // One container named, or none of them has a profile.
  if (targets.empty()) {
    return common::make_error(std::string("no Tailor SeccompProfile for ") +
                              (only.empty() ? "any container of " : "") + described +
                              " (looked for " + missing + "): Tailor has not recorded it yet");
  }
  return targets;
}

// KIND/NAME as kubectl takes it; nullptr and no name when it is not that.
std::pair<const common::WorkloadKind*, std::string> parse_workload(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash + 1 == text.size()) return {nullptr, ""};
  return {common::workload_kind_by_resource(text.substr(0, slash)), text.substr(slash + 1)};
}

int enforce_patch(const EnforcePatchOptions& options) {
  const auto [kind, name] = parse_workload(options.workload);
  auto cluster = common::default_cluster_config(options.kubeconfig);
  if (!cluster) return fail(cluster.error());
  const std::string ns = !options.namespace_name.empty() ? options.namespace_name
                         : !cluster->ns.empty()          ? cluster->ns
                                                         : "default";
  auto client = common::KubeClient::create(*cluster);
  if (!client) return fail(client.error());
  std::string resource(kind->kind);
  for (char& c : resource) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string described = resource + " " + ns + "/" + name;

  auto object = (*client)->get(
      common::api_path(std::string(kind->api_version), std::string(kind->plural), ns, name));
  if (object.status() == 404) return fail(common::make_error(described + " not found"));
  if (!object)
    return fail(common::make_error("cannot read " + described + ": " + object.error().message));
  auto targets = targets_of(**client, *object, *kind, {ns, std::string(kind->kind), name, ""},
                            options.container, described);
  if (!targets) return fail(targets.error());
  for (const auto& target : *targets) {
    if (target.state == "stable" || target.state == "enforced" || options.force) continue;
    return fail(common::make_error(
        "SeccompProfile " + target.profile + " of container " + target.container + " is " +
        target.state +
        ", not stable: enforcing it may deny calls not recorded yet; wait until kubectl get "
        "seccompprofiles -L tailor.dev/state shows stable, or pass --force"));
  }
  if (kind->kind == "Pod") {
    std::string where;
    for (const auto& target : *targets)
      where += (where.empty() ? "" : ", ") + target.container + ": " + target.localhost_profile;
    return fail(common::make_error(
        described +
        " cannot be patched (a pod's securityContext is immutable): set its containers' "
        "securityContext.seccompProfile to type Localhost, localhostProfile " +
        where + " in its manifest and recreate it"));
  }
  for (const auto& target : *targets) {
    if (target.state == "enforced") {
      std::fprintf(stderr,
                   "tailor: container %s of %s already runs under %s (tailor.dev/state "
                   "enforced); the patch changes nothing\n",
                   target.container.c_str(), described.c_str(), target.profile.c_str());
    } else if (target.state != "stable") {
      std::fprintf(stderr, "tailor: --force: enforcing %s, which is %s, not stable\n",
                   target.profile.c_str(), target.state.c_str());
    }
  }
  std::vector<std::string> command = {"kubectl"};
  if (!options.kubeconfig.empty())
    command.insert(command.end(), {"--kubeconfig", options.kubeconfig});
  command.insert(command.end(), {"-n", ns, "patch", resource, name, "--type", "strategic", "-p",
                                 patch_of(*kind, *targets).dump()});
  return write_or_fail("", common::shell_quote(command) + "\n");
}

}  // namespace

void add_enforce_patch_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<EnforcePatchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "enforce-patch",
      "Print the kubectl patch that runs a stable workload under its Tailor SeccompProfile");
  cmd->add_option("workload", options->workload,
                  "KIND/NAME: deployment, statefulset, daemonset, replicaset, job, cronjob or pod")
      ->required()
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (parse_workload(text).first != nullptr) return "";
            return text + ": expected KIND/NAME with KIND one of " +
                   common::workload_resource_names() + " (e.g. deployment/web)";
          },
          "KIND/NAME"));
  cmd->add_option("-n,--namespace", options->namespace_name,
                  "The workload's namespace (default: the kubeconfig context's, then default)");
  cmd->add_option("--container", options->container,
                  "Only this container (default: every container with a Tailor profile)");
  cmd->add_flag("--force", options->force,
                "Print the patch even when a profile is not stable yet (learning, denying)");
  cmd->add_option("--kubeconfig", options->kubeconfig,
                  "Kubeconfig (default: in-cluster, then $KUBECONFIG)");
  cmd->callback([options, &choice] { choice.run = [options] { return enforce_patch(*options); }; });
}

}  // namespace tailor::agent
