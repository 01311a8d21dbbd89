#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "aggregator/ingest/rate_limiter.h"
#include "aggregator/ingest/token_reviewer.h"
#include "aggregator/store/merge_store.h"
#include "common/metrics/http_endpoint.h"
#include "common/util/random_id.h"
#include "common/wire/delta.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace tailor::aggregator {

struct IngestOptions {
  // A full batch (4,096 items) is well under 1 MiB; anything near this is not an agent.
  std::size_t max_body_bytes = 4 << 20;
  RateLimitOptions rate;
  common::DeltaLimits limits;
  // An agent that reported within this long counts as connected.
  std::chrono::seconds connected_window{120};
  // Mutual TLS: a batch must come with a client certificate the endpoint verified
  // (HttpEndpointOptions::client_ca_file), on top of the token.
  bool require_client_cert = false;
};

// The agents' side of the aggregator on the HTTP endpoint: POST /api/v1/deltas (authenticated,
// limited, merged into the store) and GET /api/v1/profiles (the merged state). Every
// rejection is answered with a JSON reason and counted by reason; none reaches the store.
class IngestApi {
 public:
  using WallClock = std::function<int64_t()>;  // unix milliseconds

  IngestApi(MergeStore& store, TokenReviewer& reviewer, prometheus::Registry& registry,
            IngestOptions options, WallClock wall_clock = {});

  void register_routes(common::HttpEndpoint& endpoint);

 private:
  // A batch's headers, before any of its body: what takes the body, or nothing with the refusal.
  common::BodyHandler post_deltas(const common::HttpRequest& request,
                                  common::HttpResponse& response);
  // Checks what a batch's headers say (type, client certificate, token, rate) before its body
  // is read. Returns the node the token belongs to, or nullopt with `response` set.
  std::optional<std::string> admit(const common::HttpRequest& request,
                                   common::HttpResponse& response);
  // Decodes and merges a batch from `node`.
  void accept(const std::string& node, const std::string& body, common::HttpResponse& response);
  void reject(common::HttpResponse& response, int status, const std::string& reason,
              const std::string& message);
  void note_connected(const std::string& node);

  MergeStore& store_;
  TokenReviewer& reviewer_;
  IngestOptions options_;
  WallClock wall_clock_;
  const std::string instance_ = common::random_id();  // named in every acknowledgement
  RateLimiter limiter_;
  prometheus::Family<prometheus::Counter>& reports_;
  prometheus::Counter& discoveries_;
  prometheus::Gauge& agents_connected_;
  std::mutex mu_;
  std::map<std::string, int64_t> last_report_by_node_;
  int64_t swept_unix_ms_ = 0;
};

}  // namespace tailor::aggregator
