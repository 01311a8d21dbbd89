#include "tests/testbed/test_api_server.h"

#include <httplib.h>
#include <openssl/rand.h>
#include <stdlib.h>

#include <filesystem>

#include "tests/support/k8s/crd.h"
#include "tests/testbed/api_status.h"
#include "tests/testbed/discovery.h"
#include "tests/testbed/openapi.h"
#include "tests/testbed/openssl_util.h"
#include "tests/testbed/reference_data.h"
#include "tests/testbed/tls_material.h"
#include "tests/testbed/token_request.h"
#include "tests/testbed/token_review.h"
#include "tests/testbed/watch_stream.h"

namespace tailor::testbed {
namespace {

using nlohmann::json;

// Watches and keep-alive connections each hold a worker thread.
constexpr size_t kWorkerThreads = 64;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

Verb verb_of(const std::string& method, const ApiRoute& route, bool watch) {
  if (method == "GET")
    return watch ? Verb::kWatch : (route.name.empty() ? Verb::kList : Verb::kGet);
  if (method == "POST") return Verb::kCreate;
  if (method == "PUT") return Verb::kUpdate;
  if (method == "PATCH") return Verb::kPatch;
  return Verb::kDelete;
}

bool is_true(const std::string& v) { return v == "true" || v == "1"; }

std::string random_token() {
  unsigned char b[24];
  RAND_bytes(b, sizeof b);
  return base64url(std::string(reinterpret_cast<char*>(b), sizeof b));
}

ResourceKind token_review_kind() {
  ResourceKind k;
  k.group = "authentication.k8s.io";
  k.version = "v1";
  k.plural = "tokenreviews";
  k.kind = "TokenReview";
  k.namespaced = false;
  k.verbs = {"create"};
  return k;
}

}  // namespace

TestApiServer::TestApiServer(TestApiServerOptions options)
    : options_(std::move(options)),
      api_audiences_{"https://kubernetes.default.svc.cluster.local"},
      faults_(options_.fault_seed) {}

common::Result<std::unique_ptr<TestApiServer>> TestApiServer::start(TestApiServerOptions options) {
  std::unique_ptr<TestApiServer> server(new TestApiServer(std::move(options)));
  if (auto status = server->init(); !status) return status.error();
  return server;
}

TestApiServer::~TestApiServer() { stop(); }

common::Status TestApiServer::init() {
  work_dir_ = options_.work_dir;
  if (work_dir_.empty()) {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tailor-apiserver-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return common::make_error("cannot create a temporary directory");
    work_dir_ = tmpl;
    own_work_dir_ = true;
  }
  std::filesystem::create_directories(work_dir_);

  const std::string reference =
      options_.reference_dir.empty() ? reference_dir() : options_.reference_dir;
  auto kinds = builtin_kinds();
  // SeccompProfile v1beta1 was namespaced before SPO made v1 cluster-scoped.
  for (const auto& [file, namespaced] :
       {std::pair<std::string, std::vector<std::string>>{"seccompprofile-crd.yaml", {"v1beta1"}},
        {"profilebinding-crd.yaml", {}}}) {
    auto crd = testing::load_crd_file(reference + "/spo/" + file);
    if (!crd) return common::make_error(crd.error().message + " (set TAILOR_REFERENCE_DIR)");
    for (auto& k : crd_kinds(*crd, namespaced)) kinds.push_back(std::move(k));
  }
  kinds.push_back(token_review_kind());
  api_ = std::make_unique<ResourceApi>(store_, std::move(kinds));
  tokens_ = std::make_unique<ServiceAccountTokens>(api_audiences_.front());
  admin_token_ = random_token();

  if (options_.tls) {
    auto tls = generate_tls_material();
    if (!tls) return tls.error();
    ca_file_ = work_dir_ + "/ca.crt";
    const std::string cert = work_dir_ + "/apiserver.crt", key = work_dir_ + "/apiserver.key";
    for (const auto& [path, pem] :
         {std::pair{ca_file_, tls->ca_cert_pem}, {cert, tls->cert_pem}, {key, tls->key_pem}}) {
      if (auto s = write_private_file(path, pem); !s) return s;
    }
    auto ssl = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!ssl->is_valid()) return common::make_error("TLS server setup failed: " + openssl_error());
    http_ = std::move(ssl);
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  http_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  http_->set_keep_alive_timeout(1);
  // The real API server puts no cap on the requests of one connection; httplib's is 5.
  http_->set_keep_alive_max_count(1000);
  // As Go's (the real API server's) sockets: no Nagle, or each answer written in two parts waits
  // for a delayed ACK (40 ms) on a kept-alive connection.
  http_->set_tcp_nodelay(true);
  const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    route(req, res);
  };
  http_->Get(".*", handler);
  http_->Post(".*", handler);
  http_->Put(".*", handler);
  http_->Patch(".*", handler);
  http_->Delete(".*", handler);

  port_ = http_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return common::make_error("cannot bind 127.0.0.1 on an ephemeral port");
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return write_kubeconfig();
}

void TestApiServer::stop() {
  if (stopped_.exchange(true)) return;
  store_.shut_down();
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
  if (own_work_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(work_dir_, ec);
  }
}

std::string TestApiServer::url() const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

common::Status TestApiServer::write_kubeconfig() {
  kubeconfig_path_ = work_dir_ + "/kubeconfig";
  json cluster = {{"server", url()}};
  if (!ca_file_.empty()) cluster["certificate-authority"] = ca_file_;
  const json config = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", {{{"name", "tailor-testbed"}, {"cluster", cluster}}}},
      {"users", {{{"name", "admin"}, {"user", {{"token", admin_token_}}}}}},
      {"contexts",
       {{{"name", "tailor-testbed"},
         {"context",
          {{"cluster", "tailor-testbed"}, {"user", "admin"}, {"namespace", "default"}}}}}},
      {"current-context", "tailor-testbed"},
      {"preferences", json::object()}};
  return write_private_file(kubeconfig_path_, config.dump(2) + "\n");
}

bool TestApiServer::authenticated(const httplib::Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  if (header.rfind("Bearer ", 0) != 0) return false;
  const std::string token = header.substr(7);
  if (token == admin_token_) return true;
  // A service-account token is accepted as it would be by the real server:
  // valid for the API audience and bound to a pod that still exists.
  const json review =
      review_token({{"spec", {{"token", token}}}}, *tokens_, store_, api_audiences_);
  return review["status"].value("authenticated", false);
}

void TestApiServer::route(const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  if (path == "/version") {
    return send_json(res, 200,
                     {{"major", "1"},
                      {"minor", "32"},
                      {"gitVersion", "v1.32.0-tailor-testbed"},
                      {"platform", "linux/amd64"}});
  }
  if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    res.set_content("ok", "text/plain");
    return;
  }
  if (path == "/openid/v1/jwks") return send_json(res, 200, tokens_->jwks());
  if (!authenticated(req)) {
    return send_json(res, 401, status_failure(401, "Unauthorized", "Unauthorized"));
  }
  const auto missing = [&] {
    send_json(res, 404,
              status_failure(404, "NotFound", "the server could not find the requested resource"));
  };
  if (path == "/openapi/v3") return send_json(res, 200, openapi_index(api_->kinds()));
  if (path.rfind("/openapi/v3/", 0) == 0) {
    auto doc = openapi_group_version(api_->kinds(), path.substr(12));
    return doc ? send_json(res, 200, *doc) : missing();
  }
  const auto parsed = parse_api_path(path);
  if (!parsed) return missing();
  const ApiRoute& route = *parsed;
  const auto& kinds = api_->kinds();
  switch (route.target) {
    case ApiRoute::Target::kRootVersions:
      return send_json(res, 200, api_versions("127.0.0.1:" + std::to_string(port_)));
    case ApiRoute::Target::kGroupList:
      return send_json(res, 200, api_group_list(kinds));
    case ApiRoute::Target::kGroup: {
      auto doc = api_group(kinds, route.group);
      return doc ? send_json(res, 200, *doc) : missing();
    }
    case ApiRoute::Target::kResourceList: {
      auto doc = api_resource_list(kinds, route.group, route.version);
      return doc ? send_json(res, 200, *doc) : missing();
    }
    case ApiRoute::Target::kResource:
      break;
  }
  // TokenRequest is a subresource of ServiceAccounts, which the bed does not keep.
  if (route.group.empty() && route.resource == "serviceaccounts" && route.subresource == "token") {
    if (req.method != "POST" || route.version != "v1" || !route.ns_in_path) return missing();
    const ApiResponse answer =
        request_token(route.ns, route.name, json::parse(req.body, nullptr, false), *tokens_, store_,
                      api_audiences_);
    return send_json(res, answer.status, answer.body);
  }
  const ResourceKind* kind = api_->find(route.group, route.version, route.resource);
  if (!kind || (route.ns_in_path && !kind->namespaced)) return missing();
  if (kind->namespaced && !route.ns_in_path && !(req.method == "GET" && route.name.empty())) {
    return missing();
  }

  ApiRequest request{
      req.method, route, {}, req.get_header_value("Content-Type"), req.get_header_value("Accept"),
      req.body};
  for (const auto& [k, v] : req.params) request.params[k] = v;
  const bool watch = is_true(request.params["watch"]);
  const Verb verb = verb_of(req.method, route, watch);
  counts_[static_cast<size_t>(verb)]++;
  {
    std::lock_guard lock(connections_mu_);
    connections_.insert(req.remote_addr + ":" + std::to_string(req.remote_port));
  }
  if (const auto latency = faults_.latency(); latency.count() > 0) {
    std::this_thread::sleep_for(latency);
  }
  if (const auto code = faults_.pick(verb)) {
    if (*code == 429) res.set_header("Retry-After", "1");
    return send_json(res, *code,
                     status_failure(*code, reason_for(*code),
                                    "injected fault: " + verb_name(verb) + " answered " +
                                        std::to_string(*code)));
  }

  if (kind->plural == "tokenreviews") {
    if (req.method != "POST") return missing();
    const auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object())
      return send_json(res, 400, status_failure(400, "BadRequest", "invalid TokenReview"));
    return send_json(res, 201, review_token(body, *tokens_, store_, api_audiences_));
  }
  if (watch) return serve_watch(req, res, route, *kind);

  ApiResponse answer = api_->handle(request, *kind);
  for (const auto& w : answer.warnings) res.set_header("Warning", "299 - " + json(w).dump());
  send_json(res, answer.status, answer.body);
}

void TestApiServer::serve_watch(const httplib::Request& req, httplib::Response& res,
                                const ApiRoute& route, const ResourceKind& kind) {
  WatchOptions options;
  options.ns = route.ns;
  options.label_selector = req.get_param_value("labelSelector");
  options.field_selector = req.get_param_value("fieldSelector");
  options.resource_version = req.get_param_value("resourceVersion");
  options.bookmarks = is_true(req.get_param_value("allowWatchBookmarks"));
  options.bookmark_interval = options_.bookmark_interval;
  if (req.has_param("timeoutSeconds")) {
    options.timeout = std::chrono::seconds(std::stoll(req.get_param_value("timeoutSeconds")));
  }
  auto stream = std::make_shared<WatchStream>(store_, kind, std::move(options));
  res.status = 200;
  res.set_chunked_content_provider(
      "application/json", [this, stream](size_t, httplib::DataSink& sink) {
        if (stopped_ || !sink.is_writable()) {
          sink.done();
          return true;
        }
        std::string chunk = stream->next(std::chrono::milliseconds(100));
        if (!chunk.empty() && faults_.take_watch_garbage()) chunk = "{\"type\": \"ADDED\", \"obj\n";
        if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
        if (stream->done()) sink.done();
        return true;
      });
}

std::string TestApiServer::issue_service_account_token(
    const std::string& ns, const std::string& service_account, const std::string& pod_name,
    const std::string& pod_uid, const std::string& node, const std::string& audience,
    std::chrono::seconds ttl) {
  return tokens_->issue({ns, service_account, pod_name, pod_uid, node, {audience}, ttl});
}

common::Result<json> TestApiServer::put_object(const std::string& api_version,
                                               const std::string& resource, json object) {
  const ResourceKind* kind = api_->find(api_version, resource);
  if (!kind) return common::make_error("the bed does not serve " + api_version + "/" + resource);
  return api_->upsert(*kind, std::move(object));
}

std::optional<json> TestApiServer::get_object(const std::string& api_version,
                                              const std::string& resource, const std::string& ns,
                                              const std::string& name) const {
  const ResourceKind* kind = api_->find(api_version, resource);
  if (!kind) return std::nullopt;
  return store_.get(kind->key(), ns, name);
}

std::vector<json> TestApiServer::list_objects(const std::string& api_version,
                                              const std::string& resource,
                                              const std::string& ns) const {
  const ResourceKind* kind = api_->find(api_version, resource);
  if (!kind) return {};
  return store_.list(kind->key(), ns).first;
}

bool TestApiServer::delete_object(const std::string& api_version, const std::string& resource,
                                  const std::string& ns, const std::string& name) {
  const ResourceKind* kind = api_->find(api_version, resource);
  return kind && store_.remove(kind->key(), ns, name).outcome == ObjectStore::Outcome::kOk;
}

int TestApiServer::request_count(Verb verb) const { return counts_[static_cast<size_t>(verb)]; }

std::size_t TestApiServer::connection_count() const {
  std::lock_guard lock(connections_mu_);
  return connections_.size();
}

}  // namespace tailor::testbed
