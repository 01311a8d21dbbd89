#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/util/result.h"
#include "tests/testbed/faults.h"
#include "tests/testbed/object_store.h"
#include "tests/testbed/resource_api.h"
#include "tests/testbed/service_account_tokens.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace tailor::testbed {

struct TestApiServerOptions {
  bool tls = true;  // false: plain HTTP, for unit tests
  // Where certificates and the kubeconfig go; empty: a fresh temporary
  // directory, removed when the server stops.
  std::string work_dir;
  std::string reference_dir;  // empty: reference_dir()
  std::chrono::milliseconds bookmark_interval{1000};
  uint32_t fault_seed = 1;
};

// An in-process stand-in for kube-apiserver on 127.0.0.1 and an ephemeral
// port: discovery, pods, nodes, leases, workload owners, SPO SeccompProfiles
// (v1 cluster-scoped, v1beta1 namespaced) and ProfileBindings with CRD schema validation, watches
// with bookmarks and 410 expiry, TokenRequest and TokenReview for the bound
// service-account tokens it issues, Table output for kubectl, and fault switches. Every
// request needs `Authorization: Bearer <admin_token() or an issued token>`.
class TestApiServer {
 public:
  static common::Result<std::unique_ptr<TestApiServer>> start(TestApiServerOptions options = {});
  ~TestApiServer();
  TestApiServer(const TestApiServer&) = delete;
  TestApiServer& operator=(const TestApiServer&) = delete;

  void stop();

  int port() const { return port_; }
  std::string url() const;  // https://127.0.0.1:<port>
  const std::string& admin_token() const { return admin_token_; }
  const std::string& ca_file() const { return ca_file_; }  // empty without TLS
  const std::string& kubeconfig_path() const { return kubeconfig_path_; }
  const std::string& work_dir() const { return work_dir_; }
  // The audience of tokens meant for this API server.
  const std::string& api_audience() const { return api_audiences_.front(); }

  FaultInjector& faults() { return faults_; }
  // Compacts history: open watches end with 410 Gone and clients must re-list.
  void expire_watches() { store_.expire_history(); }

  // A bound service-account token, as the kubelet would project into `pod_name`.
  std::string issue_service_account_token(const std::string& ns, const std::string& service_account,
                                          const std::string& pod_name, const std::string& pod_uid,
                                          const std::string& node, const std::string& audience,
                                          std::chrono::seconds ttl = std::chrono::hours(1));

  // In-process access, bypassing auth, faults and validation: how the harness
  // plays kubelet and controllers. `api_version` is "v1", "apps/v1", ...
  common::Result<nlohmann::json> put_object(const std::string& api_version,
                                            const std::string& resource, nlohmann::json object);
  std::optional<nlohmann::json> get_object(const std::string& api_version,
                                           const std::string& resource, const std::string& ns,
                                           const std::string& name) const;
  std::vector<nlohmann::json> list_objects(const std::string& api_version,
                                           const std::string& resource,
                                           const std::string& ns = "") const;
  bool delete_object(const std::string& api_version, const std::string& resource,
                     const std::string& ns, const std::string& name);

  // Requests answered so far for `verb` (any resource), including faults.
  int request_count(Verb verb) const;
  // Client connections (address and port) requests came over so far.
  std::size_t connection_count() const;

 private:
  explicit TestApiServer(TestApiServerOptions options);
  common::Status init();
  void route(const httplib::Request& req, httplib::Response& res);
  bool authenticated(const httplib::Request& req) const;
  void serve_watch(const httplib::Request& req, httplib::Response& res, const ApiRoute& route,
                   const ResourceKind& kind);
  common::Status write_kubeconfig();

  TestApiServerOptions options_;
  std::string work_dir_;
  bool own_work_dir_ = false;
  std::string ca_file_;
  std::string kubeconfig_path_;
  std::string admin_token_;
  std::vector<std::string> api_audiences_;
  ObjectStore store_;
  std::unique_ptr<ResourceApi> api_;
  std::unique_ptr<ServiceAccountTokens> tokens_;
  FaultInjector faults_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
  std::array<std::atomic<int>, 7> counts_{};
  mutable std::mutex connections_mu_;
  std::set<std::string> connections_;
};

}  // namespace tailor::testbed
