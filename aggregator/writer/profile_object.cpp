#include "aggregator/writer/profile_object.h"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "aggregator/writer/profile_conversion.h"
#include "aggregator/writer/profile_names.h"
#include "common/k8s/client/api_path.h"
#include "common/k8s/profile_names.h"
#include "common/k8s/seccomp_profile_object.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;

// A node list is for people; past this many the count says the rest.
constexpr std::size_t kMaxListedNodes = 20;

int64_t parse_rfc3339(const std::string& text) {
  std::tm utc{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc) == nullptr) return 0;
  return static_cast<int64_t>(timegm(&utc)) * 1000;
}

// An annotation anybody could edit: what is not a plain count is no count.
uint64_t parse_count(const std::string& text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : 0;
}

std::string listed_nodes(const std::set<std::string>& nodes) {
  std::string text;
  std::size_t listed = 0;
  for (const auto& node : nodes) {
    if (listed == kMaxListedNodes) return text + ",...";
    text += (listed++ ? "," : "") + node;
  }
  return text;
}

}  // namespace

std::string rfc3339(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

ProfileLocation profile_location(const common::WorkloadKey& key, const std::string& version) {
  ProfileLocation location;
  location.version = version;
  location.api_version = std::string(common::kSpoGroup) + "/" + version;
  location.name = common::profile_name(key);
  if (version != "v1") location.namespace_name = key.namespace_name;
  location.collection_path =
      common::api_path(location.api_version, "seccompprofiles", location.namespace_name);
  location.path = common::api_path(location.api_version, "seccompprofiles", location.namespace_name,
                                   location.name);
  return location;
}

std::string spo_localhost_profile(const ProfileLocation& location) {
  return common::spo_localhost_profile(location.namespace_name, location.name);
}

common::Result<json> profile_object(const common::WorkloadKey& key, const TrackedWorkload& tracked,
                                    const common::Profile& profile, const ProfileLocation& location,
                                    int64_t now_unix_ms) {
  common::SpoObjectOptions options;
  options.name = location.name;
  options.api_version = location.version;
  options.namespace_name = location.namespace_name;
  options.labels = workload_labels(key);
  const auto& merged = tracked.merged;
  options.annotations = {{kWorkloadAnnotation, json{{"namespace", key.namespace_name},
                                                    {"kind", key.kind},
                                                    {"name", key.name},
                                                    {"container", key.container}}
                                                   .dump()},
                         {kNodesAnnotation, listed_nodes(merged.nodes.names())},
                         {kNodeCountAnnotation, std::to_string(merged.nodes_seen())},
                         {kPodsSeenAnnotation, std::to_string(merged.pods_seen())},
                         {"tailor.dev/syscalls-seen", std::to_string(merged.syscalls.size())},
                         {kFirstDiscoveryAnnotation, rfc3339(tracked.first_discovery_unix_ms)},
                         {kLastDiscoveryAnnotation, rfc3339(tracked.last_discovery_unix_ms)},
                         // The stability figure as of this write; /metrics has it live.
                         {"tailor.dev/seconds-since-last-discovery",
                          std::to_string((now_unix_ms - tracked.last_discovery_unix_ms) / 1000)}};
  return common::seccomp_profile_object(profile, options);
}

bool is_frozen(const json& object) {
  const json annotations =
      object.value("metadata", json::object()).value("annotations", json::object());
  return annotations.value(kFrozenAnnotation, "") == "true";
}

common::Result<WrittenProfile> read_profile_object(const json& object) {
  const json metadata = object.value("metadata", json::object());
  const json annotations = metadata.value("annotations", json::object());
  const std::string name = metadata.value("name", "");
  const json key = json::parse(annotations.value(kWorkloadAnnotation, ""), nullptr, false);
  if (!key.is_object()) {
    return common::make_error("SeccompProfile " + name + " has no readable " + kWorkloadAnnotation +
                              " annotation");
  }
  WrittenProfile written;
  written.key = {key.value("namespace", ""), key.value("kind", ""), key.value("name", ""),
                 key.value("container", "")};
  auto profile = common::profile_from_seccomp_profile(object, {.allow_unknown_names = true});
  if (!profile) {
    return common::make_error("SeccompProfile " + name + ": " + profile.error().message);
  }
  written.workload = workload_from_profile(profile->profile);
  // The node list comes back when it was written whole (20 nodes or fewer).
  const std::string nodes = annotations.value(kNodesAnnotation, "");
  if (!nodes.empty() && !nodes.ends_with(",...")) {
    for (std::size_t start = 0; start <= nodes.size();) {
      const std::size_t comma = std::min(nodes.find(',', start), nodes.size());
      written.workload.nodes.insert(nodes.substr(start, comma - start));
      start = comma + 1;
    }
  }
  written.workload.nodes_seen_at_least = parse_count(annotations.value(kNodeCountAnnotation, ""));
  written.workload.pods_seen_at_least = parse_count(annotations.value(kPodsSeenAnnotation, ""));
  written.first_discovery_unix_ms = parse_rfc3339(annotations.value(kFirstDiscoveryAnnotation, ""));
  written.last_discovery_unix_ms = parse_rfc3339(annotations.value(kLastDiscoveryAnnotation, ""));
  written.frozen = is_frozen(object);
  return written;
}

}  // namespace tailor::aggregator
