#include "aggregator/writer/event_writer.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "aggregator/writer/profile_object.h"
#include "common/k8s/client/api_path.h"
#include "common/metrics/families.h"
#include "common/util/log.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;

// The API server keeps an Event's message, but kubectl and dashboards show a line: the
// annotations on the SeccompProfile hold the full list.
constexpr std::size_t kMaxMessageBytes = 1024;

std::string api_version_of(const std::string& kind) {
  static const std::map<std::string, std::string> kVersions = {{"Deployment", "apps/v1"},
                                                               {"StatefulSet", "apps/v1"},
                                                               {"DaemonSet", "apps/v1"},
                                                               {"ReplicaSet", "apps/v1"},
                                                               {"Job", "batch/v1"},
                                                               {"CronJob", "batch/v1"},
                                                               {"Pod", "v1"}};
  const auto found = kVersions.find(kind);
  return found == kVersions.end() ? "" : found->second;
}

}  // namespace

EventWriter::EventWriter(common::KubeClient& client, prometheus::Registry& registry,
                         EventOptions options)
    : client_(client),
      limiter_({.per_second = options.per_namespace_per_second, .burst = options.burst}),
      events_(common::counter_family(
          registry, "tailor_aggregator_events_total",
          "Kubernetes Events on workloads by reason and result: sent, rate_limited, error.")) {}

bool EventWriter::emit(const WorkloadEvent& event, int64_t now_unix_ms) {
  if (limiter_.acquire(event.key.namespace_name) != 0) {
    events_.Add({{"reason", event.reason}, {"result", "rate_limited"}}).Increment();
    return false;
  }
  // Unique like kubectl's own: the object's name, a dot and a hex number.
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".%llx%04llx", static_cast<unsigned long long>(now_unix_ms),
                static_cast<unsigned long long>(sequence_++ & 0xffff));
  const std::string time = rfc3339(now_unix_ms);
  json involved = {
      {"kind", event.key.kind}, {"name", event.key.name}, {"namespace", event.key.namespace_name}};
  if (const auto version = api_version_of(event.key.kind); !version.empty())
    involved["apiVersion"] = version;
  const json object = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", event.key.name + suffix}, {"namespace", event.key.namespace_name}}},
      {"involvedObject", involved},
      {"reason", event.reason},
      {"message", event.message.substr(0, kMaxMessageBytes)},
      {"type", event.warning ? "Warning" : "Normal"},
      {"source", {{"component", "tailor-aggregator"}}},
      {"reportingComponent", "tailor-aggregator"},
      {"firstTimestamp", time},
      {"lastTimestamp", time},
      {"count", 1}};
  const auto created =
      client_.create(common::api_path("v1", "events", event.key.namespace_name), object);
  if (!created) {
    events_.Add({{"reason", event.reason}, {"result", "error"}}).Increment();
    common::log_line("warning", "posting a " + event.reason + " Event on " +
                                    common::describe(event.key) + ": " + created.error().message);
    return false;
  }
  events_.Add({{"reason", event.reason}, {"result", "sent"}}).Increment();
  return true;
}

}  // namespace tailor::aggregator
