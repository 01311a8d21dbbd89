#include "aggregator/writer/profile_writer.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "aggregator/log.h"
#include "aggregator/writer/api_version.h"
#include "aggregator/writer/profile_conversion.h"
#include "aggregator/writer/profile_object.h"
#include "common/k8s/seccomp_profile_object.h"
#include "common/util/clock.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;
using steady = std::chrono::steady_clock;

bool retryable(int status) {
  return status == 0 || status == 409 || status == 429 || status >= 500;
}

// The profile an object carries, for "would this write change anything".
std::optional<common::Profile> carried_profile(const json& object) {
  auto profile = common::profile_from_seccomp_profile(object, {.allow_unknown_names = true});
  if (!profile) return std::nullopt;
  return profile->profile;
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
      writes_(prometheus::BuildCounter()
                  .Name("tailor_aggregator_crd_writes_total")
                  .Help("SeccompProfile writes by result: created, updated, unchanged, frozen, "
                        "conflict, error.")
                  .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("tailor_aggregator_write_latency_seconds")
                   .Help("From a profile's first unwritten change to its SeccompProfile written, "
                         "debounce included.")
                   .Register(registry)
                   .Add({}, prometheus::Histogram::BucketBoundaries{0.5, 1, 2, 3, 5, 10, 30, 60})) {
  // A series for every result from the start: rate() and alerts then see 0, not nothing.
  for (const char* result : {"created", "updated", "unchanged", "frozen", "conflict", "error"})
    writes_.Add({{"result", result}});
}

ProfileWriter::~ProfileWriter() { stop(); }

common::Status ProfileWriter::start_up() {
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
  for (const auto& item : listed->value("items", json::array())) {
    auto written = read_profile_object(item);
    if (!written) {
      log_line("warning", "skipping at start-up: " + written.error().message);
      continue;
    }
    store_.restore(written->key, written->workload, written->first_discovery_unix_ms,
                   written->last_discovery_unix_ms);
    ++rebuilt;
  }
  // What was just read back is what the server holds: nothing to write for it.
  std::lock_guard lock(mu_);
  for (const auto& [key, version] : store_.versions()) keys_[key].written = version;
  log_line("info", "rebuilt " + std::to_string(rebuilt) + " workload containers from " +
                       options_.api_version + " SeccompProfiles");
  ready_ = true;
  return common::ok_status();
}

void ProfileWriter::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(stop_mu_);
    while (!stopping_) {
      lock.unlock();
      run_once();
      lock.lock();
      stop_cv_.wait_for(lock, options_.tick, [this] { return stopping_; });
    }
  });
}

void ProfileWriter::stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t ProfileWriter::pending() const {
  const auto versions = store_.versions();
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(
      std::count_if(versions.begin(), versions.end(), [&](const auto& v) {
        auto it = keys_.find(v.first);
        return it == keys_.end() || it->second.written < v.second;
      }));
}

void ProfileWriter::run_once() {
  const auto now = steady::now();
  // A walk of the whole store under its lock: once a second is plenty for scrapes.
  if (now - metrics_at_ >= std::chrono::seconds(1)) {
    store_metrics_.update(store_);
    metrics_at_ = now;
  }
  if (options_.record_only || !ready_) return;
  std::vector<common::WorkloadKey> due;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, version] : store_.versions()) {
      KeyState& state = keys_[key];
      if (state.written >= version) continue;
      if (!state.changed) state.changed = now;
      if (now - *state.changed >= options_.debounce && now >= state.retry_at) due.push_back(key);
    }
  }
  // A write mostly waits on the API server (a GET and a PUT), so several are in flight: one
  // at a time, thousands of workloads queued for minutes (bench/aggregator_load.cpp).
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next++) < due.size();) {
      uint64_t version = 0;
      const Outcome outcome = write(due[i], version);
      std::lock_guard lock(mu_);
      settle(keys_[due[i]], outcome, version, steady::now());
    }
  };
  std::vector<std::jthread> helpers;
  for (std::size_t n = 1; n < std::min(options_.concurrent_writes, due.size()); ++n)
    helpers.emplace_back(work);
  work();
}

void ProfileWriter::settle(KeyState& state, Outcome outcome, uint64_t version,
                           steady::time_point now) {
  if (outcome == Outcome::failed) {
    state.backoff = std::clamp(state.backoff * 2, options_.initial_backoff, options_.max_backoff);
    state.retry_at = now + state.backoff;
    return;
  }
  if (outcome == Outcome::written && state.changed) {
    latency_.Observe(std::chrono::duration<double>(now - *state.changed).count());
  }
  state.written = std::max(state.written, version);
  state.changed.reset();
  state.backoff = std::chrono::milliseconds(0);
}

ProfileWriter::Outcome ProfileWriter::write(const common::WorkloadKey& key,
                                            uint64_t& written_version) {
  const ProfileLocation location = profile_location(key, options_.api_version);
  for (int conflicts = 0; conflicts < options_.max_conflicts; ++conflicts) {
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
      auto held = read_profile_object(*existing);
      if (!held) {
        writes_.Add({{"result", "error"}}).Increment();
        log_line("error", "not overwriting " + location.name +
                              ", which Tailor cannot read back: " + held.error().message);
        return Outcome::failed;
      }
      // Never overwrite: what the server holds joins the store before the write.
      store_.merge(key, held->workload, wall_clock_());
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
    auto object = profile_object(key, tracked, profile, location, wall_clock_());
    if (!object) {
      writes_.Add({{"result", "error"}}).Increment();
      log_line("error",
               "SeccompProfile for " + common::describe(key) + ": " + object.error().message);
      return Outcome::failed;
    }
    written_version = tracked.version;
    if (existing && carried_profile(*existing) == carried_profile(*object)) {
      writes_.Add({{"result", "unchanged"}}).Increment();
      return Outcome::unchanged;
    }
    common::ApiResult result = [&] {
      if (!existing) return client_.create(location.collection_path, *object);
      (*object)["metadata"]["resourceVersion"] =
          (*existing)["metadata"].value("resourceVersion", "");
      return client_.replace(location.path, *object);
    }();
    if (result) {
      writes_.Add({{"result", existing ? "updated" : "created"}}).Increment();
      return Outcome::written;
    }
    if (result.status() == 409) {
      // Another replica wrote first (or created it meanwhile): read its version and union.
      writes_.Add({{"result", "conflict"}}).Increment();
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
