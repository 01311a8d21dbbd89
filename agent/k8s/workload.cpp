#include "agent/k8s/workload.h"

#include <set>

#include "common/k8s/workload_kinds.h"

namespace tailor::agent {
namespace {

// The kind of an intermediate owner, whose own owner is the workload; nullptr for a top owner.
const common::WorkloadKind* followed(const std::string& kind) {
  const common::WorkloadKind* known = common::workload_kind(kind);
  return known != nullptr && known->follow_owner ? known : nullptr;
}

// Deeper than any chain the built-in controllers make (Deployment ->
// ReplicaSet -> Pod, CronJob -> Job -> Pod).
constexpr int kMaxDepth = 4;

bool unanswered_status(int status) {
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

std::optional<OwnerReference> controller_in(const nlohmann::json& object) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return std::nullopt;
  const auto owners = metadata->find("ownerReferences");
  if (owners == metadata->end() || !owners->is_array()) return std::nullopt;
  for (const auto& o : *owners) {
    if (!o.is_object() || !o.value("controller", false)) continue;
    return OwnerReference{o.value("apiVersion", ""), o.value("kind", ""), o.value("name", ""),
                          o.value("uid", ""), true};
  }
  return std::nullopt;
}

}  // namespace

common::Result<OwnerObject> read_owner_object(const nlohmann::json& object) {
  try {
    const auto metadata = object.find("metadata");
    return OwnerObject{metadata != object.end() ? metadata->value("uid", "") : "",
                       controller_in(object)};
  } catch (const nlohmann::json::exception& e) {
    return common::make_error(std::string("has malformed metadata: ") + e.what());
  }
}

common::Result<std::optional<OwnerReference>> WorkloadResolver::owner_of(const std::string& ns,
                                                                         const OwnerReference& ref,
                                                                         bool& unanswered) {
  {
    std::lock_guard lock(mu_);
    if (const auto it = owners_.find(ref.uid); !ref.uid.empty() && it != owners_.end())
      return it->second;
    ++counters_.lookups;
  }
  const common::WorkloadKind& kind = *followed(ref.kind);
  auto object = client_.get(
      common::api_path(std::string(kind.api_version), std::string(kind.plural), ns, ref.name));
  if (!object) {
    unanswered = unanswered_status(object.status());
    return object.error();
  }
  auto read = read_owner_object(*object);
  if (!read)
    return common::make_error(ref.kind + " " + ns + "/" + ref.name + " " + read.error().message);
  const std::string& uid = read->uid;
  const std::optional<OwnerReference>& owner = read->controller;
  // A namesake created after the owner the pod names was deleted is not it.
  if (!ref.uid.empty() && uid != ref.uid)
    return common::make_error(ref.kind + " " + ns + "/" + ref.name + " was replaced (uid " + uid +
                              ", the pod names " + ref.uid + ")");
  if (!ref.uid.empty()) {
    std::lock_guard lock(mu_);
    owners_[ref.uid] = owner;
  }
  return owner;
}

std::optional<Workload> WorkloadResolver::workload_of(const PodInfo& pod) {
  const OwnerReference* immediate = controlling_owner(pod);
  if (!immediate) return Workload{"Pod", pod.name};
  OwnerReference current = *immediate;
  std::set<std::string> seen;
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    if (!followed(current.kind)) return Workload{current.kind, current.name};
    if (!seen.insert(current.kind + "/" + current.name).second) break;  // a loop
    bool unanswered = false;
    auto owner = owner_of(pod.ns, current, unanswered);
    if (!owner && unanswered) {
      std::lock_guard lock(mu_);
      ++counters_.unanswered;
      return std::nullopt;
    }
    if (!owner) break;
    if (!*owner) return Workload{current.kind, current.name};  // a ReplicaSet or Job of its own
    current = **owner;
  }
  std::lock_guard lock(mu_);
  ++counters_.fallbacks;
  return Workload{immediate->kind, immediate->name};
}

std::optional<common::WorkloadKey> WorkloadResolver::key_of(const PodInfo& pod,
                                                            const std::string& container) {
  auto workload = workload_of(pod);
  if (!workload) return std::nullopt;
  return common::WorkloadKey{pod.ns, std::move(workload->kind), std::move(workload->name),
                             container};
}

WorkloadCounters WorkloadResolver::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace tailor::agent
