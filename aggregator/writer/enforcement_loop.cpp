#include "aggregator/writer/enforcement_loop.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "aggregator/lifecycle/heal_policy.h"
#include "aggregator/lifecycle/tracked_state.h"
#include "aggregator/writer/profile_names.h"
#include "aggregator/writer/proposed_profile.h"
#include "common/k8s/profile_names.h"
#include "common/metrics/families.h"
#include "common/util/clock.h"
#include "common/util/log.h"

namespace tailor::aggregator {
namespace {

using common::log_line;

// Problems counted in tailor_aggregator_enforcement_problems_total.
constexpr const char* kForeignProfile = "foreign_profile";
constexpr const char* kMismatchedProfile = "mismatched_profile";
constexpr const char* kLeftWhileDenying = "left_while_denying";
constexpr const char* kProposalRefused = "proposal_refused";

// Profiles logged per workload container: a pod template cycling through names must not grow
// the memory without end.
constexpr std::size_t kMaxReportedProfiles = 16;

std::string call_name(const ObservedDenial& call) {
  return call.name.empty() ? "#" + std::to_string(call.nr) : call.name;
}

std::string sighting(const ObservedDenial& call) {
  std::string text = call_name(call) + " (" + call.arch + ", " +
                     std::string(common::denial_action_name(call.action)) + ", " +
                     std::to_string(call.count) + "x";
  if (!call.first_pod.empty()) text += ", first pod " + call.first_pod;
  return text + ")";
}

// Every node that reported the workload says none of its pods run there any more.
bool gone(const TrackedWorkload& tracked) {
  return !tracked.reports.empty() &&
         std::all_of(tracked.reports.begin(), tracked.reports.end(), [](const auto& report) {
           return report.second.enforcement_seq > 0 && report.second.pods == 0;
         });
}

}  // namespace

EnforcementLoop::EnforcementLoop(common::KubeClient& client, MergeStore& store,
                                 const ProfileWriter& writer, prometheus::Registry& registry,
                                 const WriterOptions& writer_options, EnforcementOptions options)
    : client_(client),
      store_(store),
      writer_(writer),
      writer_options_(writer_options),
      options_(options),
      denial_metrics_(registry),
      events_(client, registry, options.events),
      opt_in_(client, options.opt_in_ttl),
      problems_(common::counter_family(
          registry, "tailor_aggregator_enforcement_problems_total",
          "Enforcement the aggregator cannot act on, by problem: foreign_profile, "
          "mismatched_profile, left_while_denying, proposal_refused.")),
      heals_(common::counter_family(
          registry, "tailor_aggregator_heals_total",
          "Denied calls proposed (mode=proposed) or added to the enforced profile (mode=auto).")) {
  for (const char* kind :
       {kForeignProfile, kMismatchedProfile, kLeftWhileDenying, kProposalRefused})
    problems_.Add({{"problem", kind}});
  for (const char* mode : {"proposed", "auto"}) heals_.Add({{"mode", mode}});
}

EnforcementLoop::~EnforcementLoop() { stop(); }

void EnforcementLoop::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      run_once();
      lock.lock();
      cv_.wait_for(lock, options_.tick, [this] { return stopping_; });
    }
  });
}

void EnforcementLoop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EnforcementLoop::run_once() {
  if (!writer_.ready()) return;
  const std::string& version = writer_.api_version();
  const int64_t now_unix_ms = common::unix_now_ms();
  std::map<common::WorkloadKey, Assessment> counted;
  std::map<common::WorkloadKey, std::pair<Assessment, bool>> assessed;
  // Under the store's lock: only workload containers with reports, or that had some.
  store_.for_each([&](const common::WorkloadKey& key, const TrackedWorkload& tracked) {
    if (tracked.reports.empty() && !memory_.contains(key)) return;
    const std::string own = spo_localhost_profile(profile_location(key, version));
    Assessment assessment = assess_tracked(tracked, own, now_unix_ms, writer_options_.lifecycle);
    const bool left = gone(tracked) || tracked.reports.empty();
    if (!left) counted.emplace(key, assessment);
    assessed.emplace(key, std::pair{std::move(assessment), left});
  });
  denial_metrics_.update(counted);
  for (const auto& [key, entry] : assessed) act(key, entry.first, entry.second, now_unix_ms);
}

void EnforcementLoop::act(const common::WorkloadKey& key, const Assessment& assessment, bool left,
                          int64_t now_unix_ms) {
  Memory& memory = memory_[key];
  if (memory.state == WorkloadState::denying && (left || assessment.pods_enforced == 0)) {
    problem(kLeftWhileDenying,
            common::describe(key) +
                " no longer runs under its Tailor profile (deleted or rolled back) while it "
                "denied calls; nothing more is proposed or healed for it");
  }
  if (left) {
    memory_.erase(key);
    return;
  }
  memory.state = assessment.state;
  check_profiles(key, assessment, memory);
  if (writer_options_.record_only || assessment.state != WorkloadState::denying) return;
  heal(key, assessment, memory, now_unix_ms);
}

void EnforcementLoop::check_profiles(const common::WorkloadKey& key, const Assessment& assessment,
                                     Memory& memory) {
  const std::string name = common::profile_name(key);
  for (const auto& path : assessment.foreign_profiles) {
    if (memory.reported_profiles.size() >= kMaxReportedProfiles) return;
    if (!memory.reported_profiles.insert(path).second) continue;
    // The workload's own Tailor profile at a path SPO does not put it at for the version
    // served (the other scope, the proposal): a pod spec that names it wrongly.
    const std::string base = path.substr(path.rfind('/') + 1);
    const bool ours = base == name + ".json" || base == name + "-proposed.json";
    const std::string own = spo_localhost_profile(profile_location(key, writer_.api_version()));
    if (ours) {
      problem(kMismatchedProfile,
              common::describe(key) + ": pods run under localhostProfile " + path +
                  ", which does not match where SPO installs its Tailor profile (" + own +
                  "): fix the pod spec; its denials are not healed");
    } else {
      problem(kForeignProfile, common::describe(key) + ": pods run under localhostProfile " + path +
                                   ", a profile Tailor did not write (its own is " + own +
                                   "): its denials are shown, never healed");
    }
  }
}

void EnforcementLoop::heal(const common::WorkloadKey& key, const Assessment& assessment,
                           Memory& memory, int64_t now_unix_ms) {
  const HealPlan plan = heal_plan(assessment.denied);
  const std::string profile = profile_location(key, writer_.api_version()).name;
  for (const auto& held : plan.held_back) {
    const Call call{held.denial.arch, held.denial.nr};
    if (memory.evented.contains(call)) continue;
    const std::string message = "seccomp profile " + profile + " denied " + sighting(held.denial) +
                                " to container " + key.container + ": " + held.reason +
                                "; Tailor never adds it to the profile";
    if (events_.emit({key, kDeniedSensitiveReason, true, message}, now_unix_ms)) {
      memory.evented.insert(call);
    }
  }
  for (const auto& denial : plan.add) {
    const Call call{denial.arch, denial.nr};
    if (memory.evented.contains(call)) continue;
    const std::string message = "seccomp profile " + profile + " denied " + sighting(denial) +
                                " to container " + key.container + ": not in the profile";
    if (events_.emit({key, kDeniedReason, true, message}, now_unix_ms)) memory.evented.insert(call);
  }
  if (plan.add.empty()) return;
  std::string names;
  std::set<Call> calls;
  for (const auto& denial : plan.add) {
    names += (names.empty() ? "" : ", ") + call_name(denial);
    calls.insert({denial.arch, denial.nr});
  }

  if (opt_in_.opted_in(key.namespace_name)) {
    store_.merge(key, with_calls({}, plan.add), now_unix_ms);
    heals_.Add({{"mode", "auto"}}).Increment(static_cast<double>(plan.add.size()));
    log_line("info",
             "auto-heal: adding " + names + " to " + profile + " of " + common::describe(key));
    events_.emit({key, kHealedReason, false,
                  "added " + names + " to seccomp profile " + profile + " (namespace label " +
                      kAutoHealLabel + "=true)"},
                 now_unix_ms);
    return;
  }
  if (calls == memory.proposed) return;
  const auto tracked = store_.get(key);
  if (!tracked) return;
  WriterOptions options = writer_options_;
  options.api_version = writer_.api_version();
  auto object = proposed_profile_object(key, *tracked, plan.add, options, now_unix_ms);
  if (!object) {
    log_line("error", "proposal for " + common::describe(key) + ": " + object.error().message);
    return;
  }
  const ProfileLocation location = proposed_location(key, options.api_version);
  const auto written = write_proposed_profile(client_, key, *object, options.api_version);
  if (!written) {
    log_line("warning", written.error().message + "; retrying");
    return;
  }
  if (!*written) {
    // Reported once: the memory takes the calls as if proposed.
    memory.proposed = calls;
    problem(kProposalRefused, "not proposing " + names + " for " + common::describe(key) +
                                  ": SeccompProfile " + location.name +
                                  " exists and is not a Tailor proposal; it is left alone");
    return;
  }
  memory.proposed = calls;
  heals_.Add({{"mode", "proposed"}}).Increment(static_cast<double>(plan.add.size()));
  log_line("info", "proposed " + names + " for " + common::describe(key) + " in SeccompProfile " +
                       location.name);
  events_.emit({key, kProposedReason, true,
                "SeccompProfile " + location.name + " proposes " + profile + " plus " + names +
                    ", which it denied; review it, then add them to " + profile +
                    " or label the namespace " + kAutoHealLabel + "=true"},
               now_unix_ms);
}

void EnforcementLoop::problem(const char* kind, const std::string& line) {
  problems_.Add({{"problem", kind}}).Increment();
  log_line("warning", line);
}

}  // namespace tailor::aggregator
