#pragma once

#include <cstdint>
#include <functional>

#include "aggregator/store/merge_store.h"
#include "common/metrics/http_endpoint.h"

namespace tailor::aggregator {

// The read-only web view: GET /ui and GET /ui/workloads/NS/KIND/NAME/CONTAINER. It has no
// authentication of its own, so it is served on a loopback-only endpoint (reached with
// kubectl port-forward, whose RBAC is the access check); the API endpoint answers its paths
// with 403 (docs/aggregator.md).
class WebView {
 public:
  using WallClock = std::function<int64_t()>;  // unix milliseconds

  explicit WebView(const MergeStore& store, WallClock wall_clock = {});

  void register_routes(common::HttpEndpoint& endpoint) const;

  // On the API endpoint: the view's paths answer 403 with where to find it instead.
  static void refuse_routes(common::HttpEndpoint& endpoint, int ui_port);

 private:
  const MergeStore& store_;
  WallClock wall_clock_;
};

}  // namespace tailor::aggregator
