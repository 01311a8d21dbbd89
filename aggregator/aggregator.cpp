#include "aggregator/aggregator.h"

#include <prometheus/registry.h>

#include "common/util/log.h"

namespace tailor::aggregator {

Aggregator::Aggregator(std::unique_ptr<common::KubeClient> client, AggregatorOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      registry_(std::make_shared<prometheus::Registry>()) {}

Aggregator::~Aggregator() { stop(); }

common::Result<std::unique_ptr<Aggregator>> Aggregator::create(
    std::unique_ptr<common::KubeClient> client, AggregatorOptions options) {
  std::unique_ptr<Aggregator> aggregator(new Aggregator(std::move(client), std::move(options)));
  Aggregator& a = *aggregator;
  a.reviewer_ = std::make_unique<TokenReviewer>(*a.client_, a.options_.review);
  a.ingest_ = std::make_unique<IngestApi>(a.store_, *a.reviewer_, *a.registry_, a.options_.ingest);
  a.writer_ =
      std::make_unique<ProfileWriter>(*a.client_, a.store_, *a.registry_, a.options_.writer);
  a.enforcement_ = std::make_unique<EnforcementLoop>(*a.client_, a.store_, *a.writer_, *a.registry_,
                                                     a.options_.writer, a.options_.enforcement);
  ProfileWriter* writer = a.writer_.get();
  const auto ready = [writer]() -> common::Status {
    if (writer->ready()) return common::ok_status();
    return common::make_error(writer->not_ready_reason());
  };
  auto endpoint = common::HttpEndpoint::create(a.options_.endpoint, a.registry_, ready);
  if (!endpoint) return endpoint.error();
  a.endpoint_ = std::move(*endpoint);
  a.ingest_->register_routes(*a.endpoint_);
  if (a.options_.serve_ui) {
    auto ui = common::HttpEndpoint::create(a.options_.ui_endpoint, a.registry_, ready);
    if (!ui) return ui.error();
    a.ui_endpoint_ = std::move(*ui);
    a.web_view_ = std::make_unique<WebView>(a.store_);
    a.web_view_->register_routes(*a.ui_endpoint_);
  }
  return aggregator;
}

common::Status Aggregator::start() {
  // Serving first: /healthz answers during the rebuild, /readyz once it is done, and batches
  // merged meanwhile are simply unioned with what the rebuild finds. A rebuild that fails (the
  // API server down, SPO's CRDs missing) is retried by the writer, not fatal: a replica that
  // exits when the API server is away is restarted into the same failure with a growing delay.
  // The web view first: its port is known once it listens (0 asks for any free one), and
  // the API endpoint's answer to its paths names it, set before that endpoint serves.
  if (ui_endpoint_) {
    if (auto started = ui_endpoint_->start(); !started) return started;
  }
  WebView::refuse_routes(*endpoint_, ui_port());
  if (auto started = endpoint_->start(); !started) return started;
  if (auto rebuilt = writer_->start_up(); !rebuilt)
    common::log_line("warning", rebuilt.error().message + "; not ready until it succeeds");
  writer_->start();
  enforcement_->start();
  return common::ok_status();
}

void Aggregator::stop() {
  if (enforcement_) enforcement_->stop();
  if (writer_) writer_->stop();
  if (endpoint_) endpoint_->stop();
  if (ui_endpoint_) ui_endpoint_->stop();
}

}  // namespace tailor::aggregator
