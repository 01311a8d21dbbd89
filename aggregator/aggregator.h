#pragma once

#include <memory>

#include "aggregator/ingest/ingest_api.h"
#include "aggregator/ingest/token_reviewer.h"
#include "aggregator/store/merge_store.h"
#include "aggregator/ui/web_view.h"
#include "aggregator/writer/enforcement_loop.h"
#include "aggregator/writer/profile_writer.h"
#include "common/k8s/client/kube_client.h"
#include "common/metrics/http_endpoint.h"
#include "common/metrics/prometheus_fwd.h"

namespace tailor::aggregator {

struct AggregatorOptions {
  common::HttpEndpointOptions endpoint;
  TokenReviewOptions review;
  IngestOptions ingest;
  WriterOptions writer;
  EnforcementOptions enforcement;
  // The web view's own endpoint (plain HTTP), loopback only: it has no authentication. Port 0
  // takes any free one (the command line's default is 8081). A few people's browsers, not
  // thousands of agents: a browser keeps up to 6 connections to it.
  bool serve_ui = true;
  common::HttpEndpointOptions ui_endpoint{
      .address = "127.0.0.1", .threads = 1, .handler_threads = 2, .max_connections = 64};
};

// The whole service, wired: the store, the agents' API on the HTTP(S) endpoint, the
// SeccompProfile writer and what is done about denials. What main() runs and what the tests start.
class Aggregator {
 public:
  static common::Result<std::unique_ptr<Aggregator>> create(
      std::unique_ptr<common::KubeClient> client, AggregatorOptions options);
  ~Aggregator();
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  // Rebuilds state from existing SeccompProfiles, then serves and writes.
  common::Status start();
  void stop();

  int port() const { return endpoint_->port(); }
  // The web view's port; 0 when it is off.
  int ui_port() const { return ui_endpoint_ ? ui_endpoint_->port() : 0; }
  MergeStore& store() { return store_; }
  ProfileWriter& writer() { return *writer_; }

 private:
  Aggregator(std::unique_ptr<common::KubeClient> client, AggregatorOptions options);

  std::unique_ptr<common::KubeClient> client_;
  AggregatorOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  MergeStore store_;
  std::unique_ptr<TokenReviewer> reviewer_;
  std::unique_ptr<IngestApi> ingest_;
  std::unique_ptr<ProfileWriter> writer_;
  std::unique_ptr<EnforcementLoop> enforcement_;
  std::unique_ptr<common::HttpEndpoint> endpoint_;
  std::unique_ptr<WebView> web_view_;
  std::unique_ptr<common::HttpEndpoint> ui_endpoint_;
};

}  // namespace tailor::aggregator
