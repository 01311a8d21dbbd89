#include "aggregator/ingest/ingest_api.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "aggregator/store/state_json.h"
#include "common/metrics/families.h"
#include "common/util/clock.h"

namespace tailor::aggregator {
namespace {

using nlohmann::json;

constexpr const char* kDeltasPath = "/api/v1/deltas";

std::string bearer_token(const common::HttpRequest& request) {
  const std::string header = request.header("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || header.compare(0, kPrefix.size(), kPrefix) != 0) return {};
  return header.substr(kPrefix.size());
}

void set_error(common::HttpResponse& response, int status, const std::string& message) {
  response.status = status;
  response.set_content(json{{"error", message}}.dump(), "application/json");
}

}  // namespace

IngestApi::IngestApi(MergeStore& store, TokenReviewer& reviewer, prometheus::Registry& registry,
                     IngestOptions options, WallClock wall_clock)
    : store_(store),
      reviewer_(reviewer),
      options_(options),
      wall_clock_(wall_clock ? std::move(wall_clock) : WallClock(common::unix_now_ms)),
      limiter_(options.rate),
      reports_(common::counter_family(
          registry, "tailor_aggregator_reports_total",
          "Delta batches received, by result: accepted or the rejection reason.")),
      discoveries_(common::counter(
          registry, "tailor_aggregator_discoveries_total",
          "Merges that grew a workload container's profile (new syscalls or argument values).")),
      agents_connected_(
          common::gauge(registry, "tailor_aggregator_agents_connected",
                        "Nodes whose agent had a batch accepted in the last two minutes.")) {
  // Present from the start, so the dashboard's rates read 0 rather than nothing.
  reports_.Add({{"result", "accepted"}});
}

void IngestApi::register_routes(common::HttpEndpoint& endpoint) {
  // Streamed: a batch is checked (its type, client, token, rate) before a byte of its body is
  // taken, and the size limit holds while reading, whatever the transfer encoding.
  endpoint.post_streamed(
      kDeltasPath, options_.max_body_bytes,
      [this](const common::HttpRequest& request, common::HttpResponse& response) {
        return post_deltas(request, response);
      });
  endpoint.get("/api/v1/profiles", [this](const common::HttpRequest&,
                                          common::HttpResponse& response) {
    response.set_content(state_json(store_.snapshot(), wall_clock_()).dump(), "application/json");
  });
}

std::optional<std::string> IngestApi::admit(const common::HttpRequest& request,
                                            common::HttpResponse& response) {
  const std::string type = request.header("Content-Type");
  if (type.substr(0, type.find(';')) != "application/json") {
    reject(response, 415, "unsupported_media_type",
           "a batch is JSON: send it with Content-Type: application/json" +
               (type.empty() ? std::string(" (the request had none)") : " (not " + type + ")"));
    return std::nullopt;
  }
  if (options_.require_client_cert && !request.verified_client_cert) {
    reject(response, 401, "no_client_cert",
           "this aggregator needs a client certificate signed by its client CA "
           "(tailor agent --client-cert/--client-key)");
    return std::nullopt;
  }
  const ReviewOutcome who = reviewer_.review(bearer_token(request));
  if (who.status != 200) {
    if (who.retry_after_s > 0)
      response.set_header("Retry-After", std::to_string(who.retry_after_s));
    reject(response, who.status, who.reason, who.message);
    return std::nullopt;
  }
  if (const int wait = limiter_.acquire(who.node); wait > 0) {
    response.set_header("Retry-After", std::to_string(wait));
    reject(response, 429, "rate_limited",
           "node " + who.node + " sends too fast: retry in " + std::to_string(wait) + " s");
    return std::nullopt;
  }
  return who.node;
}

common::BodyHandler IngestApi::post_deltas(const common::HttpRequest& request,
                                           common::HttpResponse& response) {
  const std::string too_large =
      "the body exceeds " + std::to_string(options_.max_body_bytes) + " bytes";
  const std::string length = request.header("Content-Length");
  // Announced too large: refused unread (the endpoint closes the connection after the answer).
  if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > options_.max_body_bytes) {
    reject(response, 413, "too_large", too_large);
    return {};
  }
  // A refused batch's body is read up to the limit and dropped by the endpoint.
  const std::optional<std::string> node = admit(request, response);
  if (!node) return {};
  return [this, node = *node, too_large](const common::HttpRequest& request, common::BodyRead read,
                                         common::HttpResponse& response) {
    if (read == common::BodyRead::too_large) {
      reject(response, 413, "too_large", too_large);
    } else if (read == common::BodyRead::cut_short) {
      reject(response, 400, "malformed", "the body ended before its announced length");
    } else {
      accept(node, request.body, response);
    }
  };
}

void IngestApi::accept(const std::string& node, const std::string& body,
                       common::HttpResponse& response) {
  auto delta = common::decode_delta(body, options_.limits);
  if (!delta) {
    reject(response, 400, "malformed", delta.error().message);
    return;
  }
  if (delta->node != node) {
    reject(response, 403, "wrong_node",
           "the token belongs to node " + node + " but the batch reports node " + delta->node);
    return;
  }
  const Applied applied = store_.apply(*delta, wall_clock_());
  if (applied.full) {
    // 5xx: the agent keeps the batch spooled and retries, so nothing is lost while an operator
    // raises the limit or removes workloads.
    reject(response, 507, "store_full",
           "the aggregator tracks its maximum of " + std::to_string(store_.max_workloads()) +
               " workload containers and this batch adds more");
    return;
  }
  if (applied.grown > 0) discoveries_.Increment(static_cast<double>(applied.grown));
  reports_.Add({{"result", "accepted"}}).Increment();
  note_connected(node);
  // Which instance has it: one that differs from the last to acknowledge tells the agent that
  // what it acknowledged earlier may have died with its instance unwritten (docs/wire-format.md).
  response.set_content(json{{"accepted", delta->seq}, {"aggregator", instance_}}.dump(),
                       "application/json");
}

void IngestApi::reject(common::HttpResponse& response, int status, const std::string& reason,
                       const std::string& message) {
  reports_.Add({{"result", reason}}).Increment();
  set_error(response, status, message);
}

void IngestApi::note_connected(const std::string& node) {
  const int64_t now = wall_clock_();
  const int64_t window_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.connected_window).count();
  std::lock_guard lock(mu_);
  last_report_by_node_[node] = now;
  // A sweep over every node: once a second, not on every batch of thousands of nodes.
  if (now - swept_unix_ms_ >= 1000) {
    std::erase_if(last_report_by_node_,
                  [&](const auto& entry) { return now - entry.second > window_ms; });
    swept_unix_ms_ = now;
  }
  agents_connected_.Set(static_cast<double>(last_report_by_node_.size()));
}

}  // namespace tailor::aggregator
