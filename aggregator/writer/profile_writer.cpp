#include "aggregator/writer/profile_writer.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <functional>
#include <random>

#include "aggregator/lifecycle/tracked_state.h"
#include "aggregator/writer/api_version.h"
#include "aggregator/writer/profile_binding.h"
#include "aggregator/writer/profile_conversion.h"
#include "aggregator/writer/profile_object.h"
#include "aggregator/writer/proposed_profile.h"
#include "common/k8s/seccomp_profile_object.h"
#include "common/metrics/families.h"
#include "common/util/backoff.h"
#include "common/util/clock.h"
#include "common/util/log.h"

namespace tailor::aggregator {
namespace {

using common::log_line;
using nlohmann::json;

bool retryable(int status) {
  return status == 0 || status == 409 || status == 429 || status >= 500;
}

// The profile an object carries, hashed, for "would this write change anything" without
// keeping every written profile.
std::size_t profile_hash(const json& object) {
  auto profile = common::profile_from_seccomp_profile(object, {.allow_unknown_names = true});
  if (!profile) return 0;
  return std::hash<std::string>{}(common::encode_profile(profile->profile));
}

std::string resource_version(const json& object) {
  return object.value("metadata", json::object()).value("resourceVersion", "");
}

PublishedState published_in(const json& object) {
  const json metadata = object.value("metadata", json::object());
  const auto text = [&](const char* field, const char* name) {
    const json values = metadata.value(field, json::object());
    const auto value = values.find(name);
    return value != values.end() && value->is_string() ? value->get<std::string>() : "";
  };
  return {text("labels", kStateLabel), text("annotations", kDeniedAnnotation),
          text("annotations", kDeniedElsewhereAnnotation)};
}

}  // namespace

ProfileWriter::ProfileWriter(common::KubeClient& client, MergeStore& store,
                             prometheus::Registry& registry, WriterOptions options,
                             WallClock wall_clock)
    : client_(client),
      store_(store),
      options_(std::move(options)),
      wall_clock_(wall_clock ? std::move(wall_clock) : WallClock(common::unix_now_ms)),
      store_metrics_(registry),
      writes_(common::counter_family(registry, "tailor_aggregator_crd_writes_total",
                                     "SeccompProfile writes by result: created, updated, "
                                     "unchanged, frozen, conflict, error.")),
      latency_(prometheus::BuildHistogram()
                   .Name("tailor_aggregator_write_latency_seconds")
                   .Help("From a profile's first unwritten change to its SeccompProfile written, "
                         "debounce included.")
                   .Register(registry)
                   .Add({}, prometheus::Histogram::BucketBoundaries{0.5, 1, 2, 3, 5, 10, 30, 60})),
      pending_(common::gauge(
          registry, "tailor_aggregator_profiles_pending",
          "SeccompProfiles whose latest merged state is not written yet: the writer's backlog.")) {
  // A series for every result from the start: rate() and alerts then see 0, not nothing.
  for (const char* result : {"created", "updated", "unchanged", "frozen", "conflict", "error"})
    writes_.Add({{"result", result}});
}

ProfileWriter::~ProfileWriter() { stop(); }

common::Status ProfileWriter::start_up() {
  auto rebuilt = rebuild();
  if (!rebuilt) {
    std::lock_guard lock(mu_);
    start_up_error_ = rebuilt.error().message;
  }
  return rebuilt;
}

std::string ProfileWriter::not_ready_reason() {
  std::lock_guard lock(mu_);
  return start_up_error_.empty() ? "rebuilding state from existing SeccompProfiles"
                                 : start_up_error_;
}

common::Status ProfileWriter::rebuild() {
  if (options_.record_only) {
    ready_ = true;
    return common::ok_status();
  }
  if (options_.api_version.empty()) {
    auto version = discover_spo_version(client_);
    if (!version) return version.error();
    options_.api_version = *version;
  }
  const ProfileLocation any = profile_location({}, options_.api_version);
  // Namespaced (v1beta1) objects are listed across all namespaces.
  const std::string collection = common::api_path(any.api_version, "seccompprofiles");
  auto listed = client_.list(
      collection, {.label_selector = std::string(kManagedByLabel) + "=" + kManagedByValue});
  if (!listed) {
    return common::make_error("cannot list existing SeccompProfiles to rebuild state: " +
                              listed.error().message);
  }
  std::size_t rebuilt = 0;
  std::lock_guard lock(mu_);
  for (const auto& item : listed->value("items", json::array())) {
    // A proposal's calls were denied, not allowed: they stay out of the store.
    if (is_proposal(item)) continue;
    auto written = read_profile_object(item);
    if (!written) {
      log_line("warning", "skipping at start-up: " + written.error().message);
      continue;
    }
    const auto version =
        store_.restore(written->key, written->workload, written->first_discovery_unix_ms,
                       written->last_discovery_unix_ms);
    KeyState& state = keys_[written->key];
    // What was just read back is what the server holds: nothing to write for it, and the next
    // write needs no read first. A frozen object is read at every change instead.
    if (version) state.written = *version;
    if (!written->frozen) {
      state.held = {resource_version(item), profile_hash(item), published_in(item)};
    }
    ++rebuilt;
  }
  learn_changes_locked(Clock::now());
  log_line("info", "rebuilt " + std::to_string(rebuilt) + " workload containers from " +
                       options_.api_version + " SeccompProfiles");
  ready_ = true;
  return common::ok_status();
}

void ProfileWriter::start() {
  ticker_ = std::thread([this] {
    Clock::time_point start_up_at{};
    // Replicas that lost the API server together retry apart (jitter).
    common::Backoff start_up_backoff(options_.initial_backoff, options_.max_backoff,
                                     std::random_device{}());
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      if (!ready_ && Clock::now() >= start_up_at) {
        if (const auto started = start_up(); !started) {
          const auto wait = start_up_backoff.next();
          start_up_at = Clock::now() + wait;
          log_line("warning", started.error().message + "; not ready, retrying in " +
                                  std::to_string(wait.count()) + " ms");
        }
      }
      const auto now = Clock::now();
      update_store_metrics(now);
      lock.lock();
      if (!options_.record_only && ready_) {
        learn_changes_locked(now);
        if (count_due_locked(now, 1) > 0) work_cv_.notify_all();
      }
      tick_cv_.wait_for(lock, options_.tick, [this] { return stopping_.load(); });
    }
  });
  if (options_.record_only) return;
  for (std::size_t n = 0; n < std::max<std::size_t>(options_.concurrent_writes, 1); ++n)
    workers_.emplace_back([this] { work(false); });
}

void ProfileWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  tick_cv_.notify_all();
  work_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
}

std::size_t ProfileWriter::pending() {
  std::lock_guard lock(mu_);
  learn_changes_locked(Clock::now());
  return static_cast<std::size_t>(std::count_if(
      keys_.begin(), keys_.end(), [](const Entry& e) { return e.second.seen > e.second.written; }));
}

void ProfileWriter::run_once() {
  const auto now = Clock::now();
  update_store_metrics(now);
  if (options_.record_only || !ready_) return;
  std::size_t due = 0;
  {
    std::lock_guard lock(mu_);
    learn_changes_locked(now);
    due = count_due_locked(now, options_.concurrent_writes);
  }
  std::vector<std::jthread> helpers;
  for (std::size_t n = 1; n < due; ++n) helpers.emplace_back([this] { work(true); });
  work(true);
}

void ProfileWriter::update_store_metrics(Clock::time_point now) {
  // A walk of the whole store under its lock: once a second is plenty for scrapes.
  if (now - metrics_at_ < std::chrono::seconds(1)) return;
  const bool publish = !options_.record_only && ready_;
  const int64_t now_unix_ms = wall_clock_();
  std::vector<common::WorkloadKey> restated;
  store_metrics_.update(store_,
                        [&](const common::WorkloadKey& key, const TrackedWorkload& tracked) {
                          const Assessment assessment = assessment_of(key, tracked, now_unix_ms);
                          if (publish) {
                            PublishedState shown = published_state(assessment);
                            const auto [known, added] = states_.try_emplace(key, shown);
                            if (added || known->second != shown) restated.push_back(key);
                            known->second = std::move(shown);
                          }
                          return assessment.state;
                        });
  if (!restated.empty()) {
    std::lock_guard lock(mu_);
    restate_locked(restated, now);
  }
  if (!options_.record_only) pending_.Set(static_cast<double>(pending()));
  metrics_at_ = now;
}

Assessment ProfileWriter::assessment_of(const common::WorkloadKey& key,
                                        const TrackedWorkload& tracked, int64_t now_unix_ms) const {
  const std::string own = spo_localhost_profile(profile_location(key, options_.api_version));
  return assess_tracked(tracked, own, now_unix_ms, options_.lifecycle);
}

void ProfileWriter::restate_locked(const std::vector<common::WorkloadKey>& keys,
                                   Clock::time_point now) {
  for (const auto& key : keys) {
    Entry& entry = *keys_.try_emplace(key).first;
    KeyState& state = entry.second;
    state.restate = true;
    if (state.changed) continue;  // queued already
    state.changed = now;
    if (!state.writing) enqueue_locked(entry, now);
  }
}

void ProfileWriter::learn_changes_locked(Clock::time_point now) {
  for (auto& [key, version] : store_.take_changes()) {
    Entry& entry = *keys_.try_emplace(key).first;
    KeyState& state = entry.second;
    state.seen = std::max(state.seen, version);
    if (state.seen <= state.written || state.changed) continue;
    state.changed = now;
    // A key being written is queued again when that write settles.
    if (!state.writing) enqueue_locked(entry, now);
  }
}

ProfileWriter::Clock::time_point ProfileWriter::due_at(const KeyState& state) const {
  if (!state.last_write) return *state.changed;
  return std::max(*state.changed, *state.last_write + options_.debounce);
}

void ProfileWriter::enqueue_locked(Entry& entry, Clock::time_point now) {
  const KeyState& state = entry.second;
  if (state.retry_at > now) {
    backing_off_.emplace(state.retry_at, &entry);
  } else {
    waiting_.emplace(due_at(state), &entry);
  }
}

ProfileWriter::Entry* ProfileWriter::take_due_locked(Clock::time_point now) {
  // Back in line at the place its first change gives it.
  while (!backing_off_.empty() && backing_off_.begin()->first <= now) {
    Entry* entry = backing_off_.begin()->second;
    backing_off_.erase(backing_off_.begin());
    waiting_.emplace(due_at(entry->second), entry);
  }
  if (waiting_.empty() || waiting_.begin()->first > now) return nullptr;
  Entry* entry = waiting_.begin()->second;
  waiting_.erase(waiting_.begin());
  return entry;
}

std::size_t ProfileWriter::count_due_locked(Clock::time_point now, std::size_t limit) {
  std::size_t due = 0;
  for (const auto& [at, entry] : waiting_) {
    if (due == limit || at > now) break;
    ++due;
  }
  for (const auto& [retry_at, entry] : backing_off_) {
    if (due == limit || retry_at > now) break;
    if (due_at(entry->second) <= now) ++due;
  }
  return due;
}

void ProfileWriter::work(bool until_idle) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    Entry* entry = take_due_locked(Clock::now());
    if (!entry) {
      if (until_idle) return;
      // The ticker wakes workers when it learns of changes; the timeout covers debounce and
      // backoff ending.
      work_cv_.wait_for(lock, options_.tick);
      continue;
    }
    KeyState& state = entry->second;
    state.writing = true;
    const Clock::time_point changed = *state.changed;
    state.changed.reset();
    state.restate = false;
    Held held = state.held;
    lock.unlock();
    uint64_t version = 0;
    const Outcome outcome = write(entry->first, held, version);
    lock.lock();
    settle_locked(*entry, outcome, version, changed, std::move(held), Clock::now());
  }
}

void ProfileWriter::settle_locked(Entry& entry, Outcome outcome, uint64_t version,
                                  Clock::time_point changed, Held held, Clock::time_point now) {
  KeyState& state = entry.second;
  state.writing = false;
  state.held = std::move(held);
  if (outcome == Outcome::failed) {
    state.retry_at = now + common::backoff_delay(options_.initial_backoff, options_.max_backoff,
                                                 state.failures, retry_random_);
    state.failures = std::min<unsigned>(state.failures + 1, 255);
    state.changed = changed;  // still the first unwritten change
    state.restate = true;     // whatever it was for is still to do
    enqueue_locked(entry, now);
    return;
  }
  if (outcome == Outcome::written) {
    latency_.Observe(std::chrono::duration<double>(now - changed).count());
    state.last_write = now;
  }
  state.written = std::max(state.written, version);
  state.failures = 0;
  if (state.seen > state.written || state.restate) {
    // Changed while being written: in line again, from when that change was learnt.
    if (!state.changed) state.changed = now;
    enqueue_locked(entry, now);
  } else {
    state.changed.reset();
  }
}

ProfileWriter::Outcome ProfileWriter::write(const common::WorkloadKey& key, Held& held,
                                            uint64_t& written_version) {
  const ProfileLocation location = profile_location(key, options_.api_version);
  // With the resourceVersion of the object as this writer left it, the write goes first: it
  // can only land on that very object, and a 409 says something else changed it.
  for (int conflicts = 0; conflicts < options_.max_conflicts && !stopping_; ++conflicts) {
    if (held.resource_version.empty()) {
      auto existing = client_.get(location.path);
      if (!existing && existing.status() != 404) {
        writes_.Add({{"result", "error"}}).Increment();
        log_line("warning",
                 "reading SeccompProfile " + location.name + ": " + existing.error().message);
        return Outcome::failed;
      }
      if (existing) {
        if (is_frozen(*existing)) {
          writes_.Add({{"result", "frozen"}}).Increment();
          written_version = store_.get(key)->version;
          return Outcome::frozen;
        }
        auto stored = read_profile_object(*existing);
        if (!stored) {
          writes_.Add({{"result", "error"}}).Increment();
          log_line("error", "not overwriting " + location.name +
                                ", which Tailor cannot read back: " + stored.error().message);
          return Outcome::failed;
        }
        // Never overwrite: what the server holds joins the store before the write.
        store_.merge(key, stored->workload, wall_clock_());
        held = {resource_version(*existing), profile_hash(*existing), published_in(*existing)};
      }
    }
    const TrackedWorkload tracked = *store_.get(key);
    auto generated = profile_for(tracked.merged, options_.generate);
    if (!generated) {
      writes_.Add({{"result", "error"}}).Increment();
      log_line("error", "profile for " + common::describe(key) + ": " + generated.error().message);
      return Outcome::failed;
    }
    common::Profile& profile = generated->profile;
    profile.default_action = options_.default_action;
    if (profile.default_action != common::Action::return_errno) profile.default_errno_ret.reset();
    const int64_t now_unix_ms = wall_clock_();
    const PublishedState state = published_state(assessment_of(key, tracked, now_unix_ms));
    auto object = profile_object(key, tracked, profile, location, now_unix_ms);
    if (!object) {
      writes_.Add({{"result", "error"}}).Increment();
      log_line("error",
               "SeccompProfile for " + common::describe(key) + ": " + object.error().message);
      return Outcome::failed;
    }
    (*object)["metadata"]["labels"][kStateLabel] = state.state;
    if (!state.denied.empty())
      (*object)["metadata"]["annotations"][kDeniedAnnotation] = state.denied;
    if (!state.denied_elsewhere.empty()) {
      (*object)["metadata"]["annotations"][kDeniedElsewhereAnnotation] = state.denied_elsewhere;
    }
    written_version = tracked.version;
    const std::size_t hash = profile_hash(*object);
    const bool exists = !held.resource_version.empty();
    if (exists && hash == held.profile_hash && state == held.state) {
      writes_.Add({{"result", "unchanged"}}).Increment();
      return Outcome::unchanged;
    }
    common::ApiResult result = [&] {
      if (!exists) return client_.create(location.collection_path, *object);
      (*object)["metadata"]["resourceVersion"] = held.resource_version;
      return client_.replace(location.path, *object);
    }();
    if (result) {
      writes_.Add({{"result", exists ? "updated" : "created"}}).Increment();
      const bool turned_stable = state.state == workload_state_name(WorkloadState::stable) &&
                                 held.state.state != state.state;
      held = {resource_version(*result), hash, state};
      if (turned_stable) bind_stable_profile(client_, key, location.name);
      return Outcome::written;
    }
    if (result.status() == 409 || result.status() == 404) {
      // 409: another replica or a person changed it (or created it meanwhile); 404: somebody
      // deleted it. Either way, read what is there and start over.
      if (result.status() == 409) writes_.Add({{"result", "conflict"}}).Increment();
      held = {};
      continue;
    }
    writes_.Add({{"result", "error"}}).Increment();
    log_line(retryable(result.status()) ? "warning" : "error",
             "writing SeccompProfile " + location.name + ": " + result.error().message);
    return Outcome::failed;
  }
  return Outcome::failed;
}

}  // namespace tailor::aggregator
