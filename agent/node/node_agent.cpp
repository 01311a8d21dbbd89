#include "agent/node/node_agent.h"

#include <poll.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "agent/cgroup/cgroup2.h"
#include "agent/k8s/namespace_watcher.h"
#include "agent/k8s/pod_watcher.h"
#include "agent/k8s/workload.h"
#include "agent/node/container_book.h"
#include "agent/node/preflight.h"
#include "agent/node/retired_containers.h"
#include "agent/recorder/recorder.h"
#include "agent/recorder/session.h"
#include "agent/report/courier.h"
#include "agent/report/delta_tracker.h"
#include "common/k8s/client/api_path.h"
#include "common/k8s/client/kube_client.h"
#include "common/metrics/http_endpoint.h"
#include "common/report/merge.h"
#include "common/util/backoff.h"
#include "common/util/clock.h"
#include "common/util/log.h"

namespace tailor::agent {
namespace {

using common::log_line;
using common::make_error;
using Clock = std::chrono::steady_clock;

struct Metrics {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Gauge& tracked_containers;
  prometheus::Counter& discoveries;
  prometheus::Counter& reports_sent;
  prometheus::Counter& reports_failed;
  prometheus::Counter& reports_rejected;
  prometheus::Gauge& spool_bytes;
  prometheus::Gauge& spool_batches;
  prometheus::Counter& events_sent;
  prometheus::Counter& resolve_cache_misses;
  prometheus::Family<prometheus::Counter>& recorder_drops;
  prometheus::Family<prometheus::Gauge>& workload_syscalls;
  prometheus::Gauge& sets_in_use;
  prometheus::Gauge& sets_capacity;
  prometheus::Counter& program_seconds;
  prometheus::Counter& program_runs;

  Metrics()
      : tracked_containers(build_gauge("tailor_agent_tracked_containers",
                                       "Containers of selected pods being recorded now")),
        discoveries(prometheus::BuildCounter()
                        .Name("tailor_agent_syscall_discoveries_total")
                        .Help("Syscalls seen for the first time in a container")
                        .Register(*registry)
                        .Add({})),
        reports_sent(build_counter("tailor_agent_reports_sent_total",
                                   "Delta batches the aggregator acknowledged")),
        reports_failed(build_counter("tailor_agent_reports_failed_total",
                                     "Delta batch sends that failed and will be retried")),
        reports_rejected(build_counter("tailor_agent_reports_rejected_total",
                                       "Delta batches the aggregator refused for good")),
        spool_bytes(
            build_gauge("tailor_agent_spool_bytes", "Bytes of unacknowledged batches on disk")),
        spool_batches(build_gauge("tailor_agent_spool_batches", "Unacknowledged batches on disk")),
        // The recorder's counts live in its pinned maps: they go on across agent restarts.
        events_sent(build_counter("tailor_agent_recorder_events_sent_total",
                                  "First-seen events the recorder put in its ring buffer")),
        resolve_cache_misses(
            build_counter("tailor_agent_recorder_resolve_cache_misses_total",
                          "Cgroup ancestor walks the recorder's cache did not spare")),
        recorder_drops(prometheus::BuildCounter()
                           .Name("tailor_agent_recorder_drops_total")
                           .Help("What the recorder could not record, by reason")
                           .Register(*registry)),
        workload_syscalls(
            prometheus::BuildGauge()
                .Name("tailor_agent_workload_syscalls")
                .Help("Distinct syscalls recorded per workload container on this node")
                .Register(*registry)),
        sets_in_use(build_gauge("tailor_agent_recorder_sets_in_use",
                                "Syscall sets taken in the recorder's map")),
        sets_capacity(build_gauge("tailor_agent_recorder_sets_capacity",
                                  "Syscall sets the recorder's map holds")),
        program_seconds(build_counter(
            "tailor_agent_bpf_program_run_seconds_total",
            "Time the kernel accounted to the recorder program (needs kernel.bpf_stats_enabled)")),
        program_runs(
            build_counter("tailor_agent_bpf_program_runs_total",
                          "Runs of the recorder program (needs kernel.bpf_stats_enabled)")) {}

  // prometheus-cpp counters only go up by increments; the sources are running totals.
  static void raise_to(prometheus::Counter& counter, double total) {
    if (total > counter.Value()) counter.Increment(total - counter.Value());
  }

 private:
  prometheus::Counter& build_counter(const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(*registry).Add({});
  }
  prometheus::Gauge& build_gauge(const char* name, const char* help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(*registry).Add({});
  }
};

class NodeAgent {
 public:
  NodeAgent(const NodeAgentOptions& options, common::KubeClient& client, const Cgroup2& cgroups,
            Recorder& recorder, Spool& spool, Sender& sender)
      : options_(options),
        cgroups_(cgroups),
        recorder_(recorder),
        book_(cgroups, monotonic_ns()),
        pods_(client, PodWatcherOptions{options.node_name, {}}),
        namespaces_(client, common::ReflectorOptions{common::api_path("v1", "namespaces")}),
        workloads_(client),
        tracker_(DeltaTrackerOptions{.node = options.node_name,
                                     .agent = {agent_id(), common::unix_now_ms()},
                                     .recording_started_unix_ms = common::unix_now_ms()}),
        backoff_(std::chrono::milliseconds(500), std::chrono::milliseconds(30000),
                 std::random_device{}()),
        courier_(
            tracker_, spool, [&sender](const std::string& body) { return sender.send(body); },
            backoff_),
        spool_(spool) {}

  Metrics& metrics() { return metrics_; }

  // Tracks the roots there are now, then watches pods: a container started
  // once this returns is recorded from its first syscall.
  void start() {
    track_new_roots();
    pods_.start();
    namespaces_.start();
  }
  bool synced() { return pods_.wait_synced(std::chrono::milliseconds(0)); }

  common::Status run(const std::atomic<bool>& stop) {
    auto next_round = Clock::now();
    const Recorder::EventHandler on_event = [&](const tailor_event& event) {
      if (event.kind == TAILOR_EVENT_FIRST_SEEN) metrics_.discoveries.Increment();
      book_.on_event(event);
    };
    while (!stop) {
      pollfd fd{recorder_.event_fd(), POLLIN, 0};
      ::poll(&fd, 1, 200);
      if (auto consumed = recorder_.consume_events(on_event); !consumed)
        log_line("error", consumed.error().message);
      if (Clock::now() < next_round) continue;
      next_round = Clock::now() + round();
    }
    // SIGTERM: what was recorded since the last round goes out (or to the spool) now.
    (void)recorder_.consume_events(on_event);
    round();
    pods_.stop();
    namespaces_.stop();
    return common::ok_status();
  }

 private:
  static std::string agent_id() {
    std::random_device random;
    char id[17];
    std::snprintf(id, sizeof(id), "%08x%08x", random(), random());
    return id;
  }

  // Roots appear when the kubelet makes them, possibly after the agent starts.
  void track_new_roots() {
    for (const auto& root : options_.cgroup_roots) {
      if (tracked_roots_.contains(root)) continue;
      auto id = cgroups_.id_of(root);
      if (!id) continue;
      if (auto tracked = recorder_.track(*id, TAILOR_TRACK_SPLIT); !tracked) {
        log_line("error", tracked.error().message);
        continue;
      }
      tracked_roots_.insert(root);
      log_line("info", "recording the containers below " + root);
    }
  }

  // Reads the sets, attributes containers, sends; returns when to come back.
  std::chrono::milliseconds round() {
    track_new_roots();
    auto sets = recorder_.read_sets();
    if (!sets) {
      log_line("error", sets.error().message);
      return options_.interval;
    }
    const auto stats = recorder_.stats();
    book_.on_sets(*sets, stats);
    attribute();
    const auto state = cumulative_state();
    const Round result = courier_.round(state, common::unix_now_ms());
    for (const auto& message : result.messages) log_line("info", message);
    release_finished();
    export_metrics(stats, state);
    return result.retry_in.value_or(options_.interval);
  }

  std::optional<PodInfo> pod_of(const ContainerRecord& record) const {
    if (!record.pod_uid.empty()) return pods_.pod(record.pod_uid);
    for (const auto& pod : pods_.pods())
      if (pod.containers.contains(record.container_id)) return pod;
    return std::nullopt;
  }

  void ignore(uint64_t cgroup_id, ContainerRecord& record, const std::string& why) {
    record.state = ContainerRecord::State::ignored;
    if (!record.gone) (void)recorder_.track(cgroup_id, TAILOR_TRACK_IGNORE);
    for (uint32_t abi = 0; abi < TAILOR_ABI_COUNT; ++abi)
      for (uint32_t phase = 0; phase < TAILOR_PHASE_COUNT; ++phase)
        (void)recorder_.forget_set(SetKey{cgroup_id, abi, phase});
    log_line("info", "not recording " + record.path + ": " + why);
  }

  void attribute() {
    for (auto& [cgroup_id, record] : book_.records()) {
      if (record.state != ContainerRecord::State::pending) continue;
      if (record.container_id.empty()) {
        ignore(cgroup_id, record, "not a container cgroup of a known runtime");
        continue;
      }
      const auto pod = pod_of(record);
      if (!pod) {
        // Held: the pod may reach the watch after its containers start.
        if (Clock::now() - record.first_seen > options_.unknown_pod_grace)
          ignore(cgroup_id, record, "no pod claimed it within the grace period");
        continue;
      }
      if (is_sandbox(*pod, record.container_id)) {
        ignore(cgroup_id, record, "sandbox (pause) container of pod " + pod->ns + "/" + pod->name);
        continue;
      }
      if (select_pod(*pod, namespaces_.labels(pod->ns), options_.selection) != Selection::kRecord) {
        ignore(cgroup_id, record,
               "pod " + pod->ns + "/" + pod->name + " is not selected for recording");
        continue;
      }
      record.pod_uid = pod->uid;
      record.workload = workloads_.key_of(*pod, pod->containers.at(record.container_id).name);
      record.state = ContainerRecord::State::recording;
    }
  }

  CumulativeState cumulative_state() {
    std::map<common::WorkloadKey, std::vector<common::MergeInput>> inputs;
    std::map<common::WorkloadKey, std::map<SyscallKey, std::set<std::string>>> live_pods;
    CumulativeState state;
    for (const auto& [key, retired] : retired_) {
      inputs[key].push_back({"finished containers", *retired.report()});
      live_pods[key];
    }
    for (const auto& [cgroup_id, record] : book_.records()) {
      if (record.state != ContainerRecord::State::recording) continue;
      inputs[*record.workload].push_back({record.path, record.snapshot});
      state[*record.workload].pods.insert(record.pod_uid);
      auto& pods = live_pods[*record.workload];
      for (const auto& entry : record.snapshot.syscalls)
        pods[{entry.arch, entry.nr, entry.phase}].insert(record.pod_uid);
    }
    static const RetiredContainers kNoneRetired;
    for (const auto& [key, pods] : live_pods) {
      const auto found = retired_.find(key);
      const RetiredContainers& retired = found == retired_.end() ? kNoneRetired : found->second;
      state[key].pods_by_syscall = retired.pod_counts(pods);
      retired.add_pod_uids_to(state[key].pods);
    }
    for (auto& [key, reports] : inputs) {
      auto merged = common::merge_reports(reports);
      if (merged) state[key].syscalls = std::move(merged->syscalls);
    }
    return state;
  }

  // A container cgroup found gone is read once more in the next round, so its last calls are
  // in its snapshot; then its slot goes back to the recorder and the snapshot is folded into
  // its workload's finished containers. Ignored cgroups that are gone are forgotten.
  void release_finished() {
    auto& records = book_.records();
    for (auto it = records.begin(); it != records.end();) {
      auto& [cgroup_id, record] = *it;
      const bool recording = record.state == ContainerRecord::State::recording;
      if (recording && record.gone) {
        for (uint32_t abi = 0; abi < TAILOR_ABI_COUNT; ++abi)
          for (uint32_t phase = 0; phase < TAILOR_PHASE_COUNT; ++phase)
            if (auto forgot = recorder_.forget_set(SetKey{cgroup_id, abi, phase}); !forgot)
              log_line("error", forgot.error().message);
        retired_[*record.workload].add(record.pod_uid, record.snapshot);
        it = records.erase(it);
        continue;
      }
      if (record.state != ContainerRecord::State::pending && !cgroups_.path_of_id(cgroup_id)) {
        if (!recording) {
          // Its ignore entry would otherwise fill the recorder's tracked-cgroup map over
          // months of pod churn.
          if (auto untracked = recorder_.untrack(cgroup_id); !untracked)
            log_line("error", untracked.error().message);
          it = records.erase(it);
          continue;
        }
        record.gone = true;
      }
      ++it;
    }
  }

  void export_metrics(const std::map<std::string, uint64_t>& stats, const CumulativeState& state) {
    size_t recording = 0;
    for (const auto& [id, record] : book_.records())
      recording += record.state == ContainerRecord::State::recording && !record.gone;
    metrics_.tracked_containers.Set(static_cast<double>(recording));
    for (const auto& [name, value] : stats) {
      auto& counter = name == "events_sent" ? metrics_.events_sent
                      : name == "resolve_cache_misses"
                          ? metrics_.resolve_cache_misses
                          : metrics_.recorder_drops.Add({{"reason", name}});
      Metrics::raise_to(counter, static_cast<double>(value));
    }
    for (const auto& [key, workload] : state) {
      std::set<std::pair<std::string, uint32_t>> distinct;
      for (const auto& entry : workload.syscalls)
        if (entry.phase != common::Phase::runtime_setup) distinct.insert({entry.arch, entry.nr});
      metrics_.workload_syscalls
          .Add({{"workload_namespace", key.namespace_name},
                {"workload_kind", key.kind},
                {"workload_name", key.name},
                {"workload_container", key.container}})
          .Set(static_cast<double>(distinct.size()));
    }
    const auto& counts = courier_.counts();
    Metrics::raise_to(metrics_.reports_sent, static_cast<double>(counts.acknowledged));
    Metrics::raise_to(metrics_.reports_failed, static_cast<double>(counts.send_failures));
    Metrics::raise_to(metrics_.reports_rejected, static_cast<double>(counts.rejected));
    metrics_.spool_bytes.Set(static_cast<double>(spool_.bytes()));
    metrics_.spool_batches.Set(static_cast<double>(spool_.entries().size()));
    auto sets = recorder_.read_sets();
    if (sets) metrics_.sets_in_use.Set(static_cast<double>(sets->size()));
    metrics_.sets_capacity.Set(static_cast<double>(options_.max_sets));
    const auto program = recorder_.program_stats();
    Metrics::raise_to(metrics_.program_seconds, static_cast<double>(program.run_time_ns) / 1e9);
    Metrics::raise_to(metrics_.program_runs, static_cast<double>(program.run_count));
  }

  const NodeAgentOptions& options_;
  const Cgroup2& cgroups_;
  Recorder& recorder_;
  ContainerBook book_;
  std::map<common::WorkloadKey, RetiredContainers> retired_;
  PodWatcher pods_;
  NamespaceWatcher namespaces_;
  WorkloadResolver workloads_;
  DeltaTracker tracker_;
  common::Backoff backoff_;
  Courier courier_;
  Spool& spool_;
  Metrics metrics_;
  std::set<std::string> tracked_roots_;
};

}  // namespace

common::Status run_node_agent(const NodeAgentOptions& options, const common::ClusterConfig& cluster,
                              const std::atomic<bool>& stop) {
  if (options.node_name.empty())
    return make_error("no node name: set NODE_NAME (the downward API's spec.nodeName)");
  const Preflight preflight = run_preflight({.pin_dir = options.pin_dir});
  for (const auto& failure : preflight.failures()) log_line("error", failure);
  if (!preflight.ok()) {
    auto endpoint =
        serve_failed_preflight(preflight, {options.listen_address, options.listen_port});
    if (!endpoint) return endpoint.error();
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return common::ok_status();
  }
  auto cgroups = Cgroup2::detect();
  if (!cgroups) return cgroups.error();
  RecorderOptions recorder_options;
  recorder_options.pin_dir = options.pin_dir;
  recorder_options.max_syscall_sets = options.max_sets;
  auto recorder = Recorder::open(recorder_options);
  if (!recorder) return recorder.error();
  if (!(*recorder)->mounted_bpffs().empty())
    log_line("info", "no bpf filesystem held " + options.pin_dir + ": mounted one at " +
                         (*recorder)->mounted_bpffs());
  if ((*recorder)->resumed())
    log_line("info", "resumed the recorder pinned in " + options.pin_dir +
                         ": nothing recorded meanwhile is lost");

  auto spool = Spool::open(options.spool_dir, options.spool_limits);
  if (!spool) return spool.error();
  auto sender = Sender::create(options.sender);
  if (!sender) return sender.error();
  auto client = common::KubeClient::create(cluster);
  if (!client) return client.error();

  NodeAgent agent(options, **client, *cgroups, **recorder, **spool, **sender);
  export_preflight(preflight, *agent.metrics().registry);
  agent.start();
  auto endpoint = common::HttpEndpoint::create(
      common::HttpEndpointOptions{options.listen_address, options.listen_port},
      agent.metrics().registry, [&agent]() -> common::Status {
        if (!agent.synced()) return make_error("pods of this node not listed yet");
        return common::ok_status();
      });
  if (!endpoint) return endpoint.error();
  if (auto started = (*endpoint)->start(); !started) return started.error();
  log_line("info",
           "serving /metrics, /healthz and /readyz on port " + std::to_string((*endpoint)->port()));
  return agent.run(stop);
}

}  // namespace tailor::agent
