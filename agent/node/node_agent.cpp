#include "agent/node/node_agent.h"

#include <poll.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "agent/node/preflight.h"
#include "agent/recorder/session.h"
#include "common/util/clock.h"
#include "common/util/log.h"
#include "common/util/random_id.h"

namespace tailor::agent {
namespace {

using common::log_line;
using common::make_error;
using Clock = std::chrono::steady_clock;

constexpr const char* kNoNodeName =
    "no node name: set NODE_NAME (the downward API's spec.nodeName)";

// For steps a failure of which the agent outlives: it is logged, and the round goes on.
template <typename T>
void log_failure(const common::Result<T>& result) {
  if (!result) log_line("error", result.error().message);
}

}  // namespace

common::Result<std::unique_ptr<NodeAgent>> NodeAgent::create(
    NodeAgentOptions options, std::unique_ptr<common::KubeClient> client) {
  if (options.node_name.empty()) return make_error(kNoNodeName);
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

  std::unique_ptr<NodeAgent> agent(new NodeAgent(std::move(options), std::move(client), *cgroups,
                                                 std::move(*recorder), std::move(*spool),
                                                 std::move(*sender)));
  PodAttribution& attribution = agent->attribution_;
  auto endpoint = common::HttpEndpoint::create(
      common::HttpEndpointOptions{agent->options_.listen_address, agent->options_.listen_port},
      agent->metrics_.registry(), [&attribution]() -> common::Status {
        if (!attribution.synced())
          return make_error("pods of this node or namespaces not listed yet");
        return common::ok_status();
      });
  if (!endpoint) return endpoint.error();
  agent->endpoint_ = std::move(*endpoint);
  return agent;
}

NodeAgent::NodeAgent(NodeAgentOptions options, std::unique_ptr<common::KubeClient> client,
                     Cgroup2 cgroups, std::unique_ptr<Recorder> recorder,
                     std::unique_ptr<Spool> spool, std::unique_ptr<Sender> sender)
    : options_(std::move(options)),
      client_(std::move(client)),
      cgroups_(std::move(cgroups)),
      recorder_(std::move(recorder)),
      spool_(std::move(spool)),
      sender_(std::move(sender)),
      book_(cgroups_, monotonic_ns()),
      attribution_(*client_, AttributionOptions{.node_name = options_.node_name,
                                                .selection = options_.selection,
                                                .unknown_pod_grace = options_.unknown_pod_grace}),
      tracker_(DeltaTrackerOptions{.node = options_.node_name,
                                   .agent = {common::random_id(), common::unix_now_ms()},
                                   .recording_started_unix_ms = common::unix_now_ms()}),
      backoff_(std::chrono::milliseconds(500), std::chrono::milliseconds(30000),
               std::random_device{}()),
      courier_(
          tracker_, *spool_, [this](const std::string& body) { return sender_->send(body); },
          backoff_),
      on_event_([this](const tailor_event& event) {
        if (event.kind == TAILOR_EVENT_FIRST_SEEN) metrics_.count_discovery();
        book_.on_event(event);
      }) {}

NodeAgent::~NodeAgent() {
  if (endpoint_) endpoint_->stop();
  attribution_.stop();
}

common::Status NodeAgent::start() {
  track_new_roots();
  attribution_.start();
  return endpoint_->start();
}

common::Status NodeAgent::run(const std::atomic<bool>& stop) {
  auto next_round = Clock::now();
  while (!stop) {
    pollfd fd{recorder_->event_fd(), POLLIN, 0};
    ::poll(&fd, 1, 200);
    consume_events();
    if (Clock::now() < next_round) continue;
    next_round = Clock::now() + round();
  }
  consume_events();
  round();
  attribution_.stop();
  return common::ok_status();
}

void NodeAgent::consume_events() { log_failure(recorder_->consume_events(on_event_)); }

// Roots appear when the kubelet makes them, possibly after the agent starts.
void NodeAgent::track_new_roots() {
  for (const auto& root : options_.cgroup_roots) {
    if (tracked_roots_.contains(root)) continue;
    auto id = cgroups_.id_of(root);
    if (!id) continue;
    if (auto tracked = recorder_->track(*id, TAILOR_TRACK_SPLIT); !tracked) {
      log_line("error", tracked.error().message);
      continue;
    }
    tracked_roots_.insert(root);
    log_line("info", "recording the containers below " + root);
  }
}

std::chrono::milliseconds NodeAgent::round() {
  track_new_roots();
  auto sets = recorder_->read_sets();
  if (!sets) {
    log_line("error", sets.error().message);
    return options_.interval;
  }
  auto denials = recorder_->read_denials();
  log_failure(denials);
  const auto stats = recorder_->stats();
  released_.clear();
  book_.on_sets(*sets, denials ? *denials : std::vector<Denial>{},
                recorder_->watching_errno_denials());
  attribute();
  if (book_.read_seccomp_modes() > 0 && !told_modes_unreadable_) {
    told_modes_unreadable_ = true;
    log_line("info",
             "the processes of some recorded containers are not in this /proc (no hostPID): a "
             "seccomp filter their runtime installs is seen from the kernel, one a workload "
             "installs itself is not");
  }
  watch_errno_denials();
  const auto state = book_.cumulative_state();
  const Round result = courier_.round(state, common::unix_now_ms());
  for (const auto& message : result.messages) log_line("info", message);
  release(book_.release_finished());

  const auto in_use = std::count_if(sets->begin(), sets->end(), [this](const auto& set) {
    return !released_.contains(set.first.cgroup_id);
  });
  metrics_.export_recorder({.stats = stats,
                            .sets_in_use = static_cast<size_t>(in_use),
                            .sets_capacity = options_.max_sets,
                            .program = recorder_->program_stats()});
  metrics_.export_tracked_containers(book_.recording());
  std::set<common::WorkloadKey> recording;
  for (const auto& [cgroup_id, record] : book_.records())
    if (record.state == ContainerRecord::State::recording && !record.gone)
      recording.insert(*record.workload);
  metrics_.export_workloads(state, recording);
  metrics_.export_enforcement(state, recording, book_.enforced());
  metrics_.export_delivery(courier_.counts(), spool_->bytes(), spool_->entries().size());
  return result.retry_in.value_or(options_.interval);
}

void NodeAgent::attribute() {
  const auto now = Clock::now();
  for (auto& [cgroup_id, record] : book_.records()) {
    if (record.state != ContainerRecord::State::pending) continue;
    Attribution answer =
        attribution_.attribute({record.container_id, record.pod_uid, record.first_seen}, now);
    switch (answer.verdict) {
      case Attribution::Verdict::held:
        break;
      case Attribution::Verdict::ignore:
        ignore(cgroup_id, record, answer.reason);
        break;
      case Attribution::Verdict::record:
        record.pod_uid = std::move(answer.pod_uid);
        record.workload = std::move(answer.workload);
        record.seccomp = std::move(answer.seccomp);
        record.state = ContainerRecord::State::recording;
        break;
    }
  }
}

void NodeAgent::ignore(uint64_t cgroup_id, ContainerRecord& record, const std::string& why) {
  record.state = ContainerRecord::State::ignored;
  if (!record.gone) (void)recorder_->track(cgroup_id, TAILOR_TRACK_IGNORE);
  (void)recorder_->forget_sets_of(cgroup_id);
  (void)recorder_->forget_denials(cgroup_id);
  released_.insert(cgroup_id);
  log_line("info", "not recording " + record.path + ": " + why);
}

// On while a recorded container runs filtered, and for errno_watch_linger after the last one:
// a pod restarting under its profile (a crash loop, a rollout) has a new container whose mode
// shows only at the next round, and its first denials would be lost each time the hook had
// been detached in between.
void NodeAgent::watch_errno_denials() {
  const auto now = Clock::now();
  const bool wanted = book_.filtered() > 0;
  if (wanted) errno_wanted_at_ = now;
  const bool on = wanted || (recorder_->watching_errno_denials() &&
                             now - errno_wanted_at_ < options_.errno_watch_linger);
  if (on == recorder_->watching_errno_denials()) return;
  if (auto changed = recorder_->watch_errno_denials(on); !changed) {
    log_line("error", changed.error().message);
    return;
  }
  log_line("info", on ? "watching ERRNO denials: a recorded container runs under a seccomp filter"
                      : "no longer watching ERRNO denials: no recorded container runs filtered");
}

void NodeAgent::release(const Released& released) {
  for (const uint64_t cgroup_id : released.retired) {
    log_failure(recorder_->forget_sets_of(cgroup_id));
    log_failure(recorder_->forget_denials(cgroup_id));
    released_.insert(cgroup_id);
  }
  for (const uint64_t cgroup_id : released.untracked) log_failure(recorder_->untrack(cgroup_id));
}

common::Status run_node_agent(const NodeAgentOptions& options, const common::ClusterConfig& cluster,
                              const std::atomic<bool>& stop) {
  if (options.node_name.empty()) return make_error(kNoNodeName);
  const Preflight preflight = run_preflight({.pin_dir = options.pin_dir});
  for (const auto& failure : preflight.failures()) log_line("error", failure);
  if (!preflight.ok()) {
    auto endpoint =
        serve_failed_preflight(preflight, {options.listen_address, options.listen_port});
    if (!endpoint) return endpoint.error();
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return common::ok_status();
  }
  auto client = common::KubeClient::create(cluster);
  if (!client) return client.error();
  auto agent = NodeAgent::create(options, std::move(*client));
  if (!agent) return agent.error();
  export_preflight(preflight, *(*agent)->metrics().registry());
  if (auto started = (*agent)->start(); !started) return started.error();
  log_line("info",
           "serving /metrics, /healthz and /readyz on port " + std::to_string((*agent)->port()));
  return (*agent)->run(stop);
}

}  // namespace tailor::agent
