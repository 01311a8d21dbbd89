#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/k8s/client/api_path.h"
#include "common/k8s/client/api_result.h"
#include "common/k8s/client/cancellation.h"
#include "common/k8s/client/cluster_config.h"
#include "common/k8s/client/token_source.h"
#include "common/k8s/client/watch_event_reader.h"

namespace httplib {
class Client;
}

namespace tailor::common {

struct KubeClientOptions {
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds request_timeout{30};  // any one read or write of a non-watch request
  std::chrono::seconds token_refresh{60};
  TokenSource::Clock clock;  // when the token file is due; empty: steady_clock
  std::string user_agent = "tailor";
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
};

struct WatchOptions {
  std::string resource_version;  // "" : start with the current objects as ADDED events
  bool allow_bookmarks = true;
  std::optional<int> timeout_seconds;  // the server ends the watch after this
  ListOptions selectors;
  // No byte for this long is a dead connection. Keep it above the server's
  // bookmark interval (about a minute) when bookmarks are allowed.
  std::chrono::seconds idle_timeout{120};
};

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

// Returns false to end the watch.
using WatchHandler = std::function<bool(const WatchEvent& event)>;

// A Kubernetes API client for JSON: bearer token (re-read as it rotates),
// server verified against the configured CA with TLS 1.2 or newer. Safe to
// use from several threads: each request has its own connection, so a watch
// never holds up the requests of another thread. Never throws.
class KubeClient {
 public:
  static Result<std::unique_ptr<KubeClient>> create(ClusterConfig config,
                                                    KubeClientOptions options = {});
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  const ClusterConfig& config() const { return config_; }

  // `path` as api_path() makes it; `query` is appended percent-encoded.
  ApiResult get(const std::string& path, const Query& query = {},
                Cancellation* cancellation = nullptr);
  ApiResult list(const std::string& collection_path, const ListOptions& options = {},
                 Cancellation* cancellation = nullptr);
  ApiResult create(const std::string& collection_path, const nlohmann::json& object,
                   const Query& query = {});
  ApiResult replace(const std::string& path, const nlohmann::json& object, const Query& query = {});
  ApiResult patch(const std::string& path, const nlohmann::json& patch, PatchType type,
                  const Query& query = {});
  ApiResult remove(const std::string& path, const Query& query = {});

  // Streams the events of a watch on `collection_path` to `handler` until
  // the server ends it (ok, the last status), the handler returns false or
  // `cancellation` fires (ok; status 0 when cancelled), or the connection
  // fails or carries a line that is not an event (error). ERROR events are
  // handed to the handler like any other: 410 Expired means list again.
  ApiResult watch(const std::string& collection_path, const WatchOptions& options,
                  const WatchHandler& handler, Cancellation* cancellation = nullptr);

 private:
  struct Endpoint;
  KubeClient(ClusterConfig config, KubeClientOptions options);
  Status init();
  Result<std::unique_ptr<httplib::Client>> connect(std::chrono::seconds read_timeout);
  ApiResult send(const std::string& method, const std::string& path, const std::string& body,
                 const std::string& content_type, Cancellation* cancellation);
  std::unique_ptr<httplib::Client> take_idle();
  void give_back(std::unique_ptr<httplib::Client> client);

  ClusterConfig config_;
  KubeClientOptions options_;
  TokenSource tokens_;
  std::unique_ptr<Endpoint> endpoint_;
  // Non-watch requests reuse kept-alive connections, one request at a time each: a TLS
  // handshake per request was most of what a TokenReview or a profile write cost. Watches
  // keep connections of their own, so a watch never delays a request.
  std::mutex idle_mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace tailor::common
