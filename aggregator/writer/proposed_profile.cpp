#include "aggregator/writer/proposed_profile.h"

#include "aggregator/writer/profile_conversion.h"
#include "common/model/merge.h"

namespace tailor::aggregator {

using nlohmann::json;

ProfileLocation proposed_location(const common::WorkloadKey& key, const std::string& version) {
  ProfileLocation location = profile_location(key, version);
  const std::string name = location.name + "-proposed";
  location.path = location.path.substr(0, location.path.size() - location.name.size()) + name;
  location.name = name;
  return location;
}

bool is_proposal(const json& object) {
  const json labels = object.value("metadata", json::object()).value("labels", json::object());
  return labels.value(kProposalLabel, "") == "true" &&
         labels.value(kManagedByLabel, "") == kManagedByValue;
}

MergedWorkload with_calls(const MergedWorkload& workload, const std::vector<ObservedDenial>& add) {
  MergedWorkload out = workload;
  for (const auto& call : add) {
    MergedSyscall& syscall = out.syscalls[{call.arch, call.nr, common::Phase::workload}];
    common::merge_name(syscall.name, call.name);
    common::merge_first_seen(syscall.first_seen_unix_ms, call.first_seen_unix_ms);
  }
  return out;
}

common::Result<json> proposed_profile_object(const common::WorkloadKey& key,
                                             const TrackedWorkload& tracked,
                                             const std::vector<ObservedDenial>& add,
                                             const WriterOptions& options, int64_t now_unix_ms) {
  TrackedWorkload proposed = tracked;
  proposed.merged = with_calls(tracked.merged, add);
  auto generated = profile_for(proposed.merged, options.generate);
  if (!generated) return generated.error();
  common::Profile& profile = generated->profile;
  profile.default_action = options.default_action;
  if (profile.default_action != common::Action::return_errno) profile.default_errno_ret.reset();
  const ProfileLocation location = proposed_location(key, options.api_version);
  auto object = profile_object(key, proposed, profile, location, now_unix_ms);
  if (!object) return object.error();
  (*object)["metadata"]["labels"][kProposalLabel] = "true";
  // Reviewed, not run: SPO skips a disabled profile, so no node gets a second profile that
  // no pod names and nothing can mistake it for the enforced one.
  (*object)["spec"]["state"] = "Disabled";
  std::string calls;
  for (const auto& call : add) calls += (calls.empty() ? "" : ",") + call.name;
  (*object)["metadata"]["annotations"]["tailor.dev/proposed-calls"] = calls;
  (*object)["metadata"]["annotations"]["tailor.dev/proposal-of"] =
      profile_location(key, options.api_version).name;
  return object;
}

common::Result<bool> write_proposed_profile(common::KubeClient& client,
                                            const common::WorkloadKey& key, const json& object,
                                            const std::string& version) {
  const ProfileLocation location = proposed_location(key, version);
  auto existing = client.get(location.path);
  if (!existing && existing.status() != 404) {
    return common::make_error("reading SeccompProfile " + location.name + ": " +
                              existing.error().message);
  }
  if (!existing) {
    auto created = client.create(location.collection_path, object);
    if (!created) {
      return common::make_error("creating SeccompProfile " + location.name + ": " +
                                created.error().message);
    }
    return true;
  }
  if (!is_proposal(*existing)) return false;
  json replacement = object;
  replacement["metadata"]["resourceVersion"] =
      existing->value("metadata", json::object()).value("resourceVersion", "");
  auto replaced = client.replace(location.path, replacement);
  if (!replaced) {
    return common::make_error("updating SeccompProfile " + location.name + ": " +
                              replaced.error().message);
  }
  return true;
}

}  // namespace tailor::aggregator
