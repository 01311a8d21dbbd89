#include "common/k8s/client/kube_client.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/util/enum_names.h"

namespace tailor::common {
namespace {

using nlohmann::json;

// The body of a failed answer kept for its Status message.
constexpr size_t kMaxErrorBody = 64 << 10;

// Verifies the server's chain against the configured CAs only: httplib also
// loads the system's default CAs into the context's store, which would let
// any public CA vouch for the API server.
int verify_with_configured_cas(X509_STORE_CTX* ctx, void* trusted) {
  X509_STORE_CTX_set0_trusted_stack(ctx, static_cast<STACK_OF(X509)*>(trusted));
  return X509_verify_cert(ctx);
}

Result<STACK_OF(X509) *> parse_certificates(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  STACK_OF(X509)* certs = sk_X509_new_null();
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) sk_X509_push(certs, cert);
  BIO_free(bio);
  if (sk_X509_num(certs) == 0) {
    sk_X509_free(certs);
    return make_error("the certificate authority holds no PEM certificate");
  }
  return certs;
}

std::string transport_error(httplib::Error error, const std::string& origin) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
      return "cannot connect to " + origin + ": is the API server address right and reachable?";
    case httplib::Error::SSLServerVerification:
      return "the certificate of " + origin +
             " is not signed by the configured certificate authority or does not name the host";
    case httplib::Error::SSLConnection:
      return "TLS handshake with " + origin + " failed (the server needs TLS 1.2 or newer)";
    case httplib::Error::Read:
      return "the connection to " + origin + " failed or timed out while reading the answer";
    case httplib::Error::Canceled:
      return "the request was cancelled";
    default:
      return "request to " + origin + " failed: " + httplib::to_string(error);
  }
}

// "GET /api/v1/...: 404 NotFound: pods "x" not found".
std::string status_message(const std::string& method, const std::string& path, int status,
                           const std::string& body) {
  const auto doc = json::parse(body, nullptr, false);
  std::string text = method + " " + path + ": " + std::to_string(status);
  if (doc.is_object() && doc.contains("kind") && doc["kind"] == "Status") {
    const auto reason = doc.find("reason");
    const auto message = doc.find("message");
    if (reason != doc.end() && reason->is_string()) text += " " + reason->get<std::string>();
    if (message != doc.end() && message->is_string()) text += ": " + message->get<std::string>();
  } else if (!body.empty()) {
    text += ": " + body.substr(0, 200);
  }
  if (status == 401) text += " (the bearer token was refused)";
  return text;
}

void add_selectors(Query& query, const ListOptions& options) {
  if (!options.label_selector.empty()) query.emplace_back("labelSelector", options.label_selector);
  if (!options.field_selector.empty()) query.emplace_back("fieldSelector", options.field_selector);
}

constexpr EnumNames<PatchType, 4> kPatchContentTypes = {
    {{PatchType::kMerge, "application/merge-patch+json"},
     {PatchType::kJson, "application/json-patch+json"},
     {PatchType::kStrategicMerge, "application/strategic-merge-patch+json"},
     {PatchType::kApply, "application/apply-patch+yaml"}}};

}  // namespace

struct KubeClient::Endpoint {
  std::string origin;  // scheme://host:port
  std::string prefix;  // a path the server is behind, or empty
  bool https = false;
  STACK_OF(X509) * trusted = nullptr;

  ~Endpoint() {
    if (trusted) sk_X509_pop_free(trusted, X509_free);
  }
};

KubeClient::KubeClient(ClusterConfig config, KubeClientOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      tokens_(config_.token, config_.token_file, options_.token_refresh, options_.clock),
      endpoint_(std::make_unique<Endpoint>()) {}

KubeClient::~KubeClient() = default;

Result<std::unique_ptr<KubeClient>> KubeClient::create(ClusterConfig config,
                                                       KubeClientOptions options) {
  std::unique_ptr<KubeClient> client(new KubeClient(std::move(config), std::move(options)));
  if (auto status = client->init(); !status) return status.error();
  return client;
}

Status KubeClient::init() {
  const std::string& server = config_.server;
  const auto scheme_end = server.find("://");
  if (scheme_end == std::string::npos)
    return make_error("API server address '" + server + "' is not a URL (https://host:port)");
  const std::string scheme = server.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http")
    return make_error("API server address '" + server + "' must start with https://");
  const auto path_start = server.find('/', scheme_end + 3);
  endpoint_->origin = server.substr(0, path_start);
  if (path_start != std::string::npos) {
    endpoint_->prefix = server.substr(path_start);
    while (!endpoint_->prefix.empty() && endpoint_->prefix.back() == '/')
      endpoint_->prefix.pop_back();
  }
  endpoint_->https = scheme == "https";
  if (endpoint_->https && !config_.ca_pem.empty() && !config_.insecure_skip_tls_verify) {
    auto certs = parse_certificates(config_.ca_pem);
    if (!certs) return certs.error();
    endpoint_->trusted = *certs;
  }
  if (auto token = tokens_.token(); !token) return token.error();
  return ok_status();
}

Result<std::unique_ptr<httplib::Client>> KubeClient::connect(std::chrono::seconds read_timeout) {
  auto token = tokens_.token();
  if (!token) return token.error();
  auto client = std::make_unique<httplib::Client>(endpoint_->origin);
  if (!client->is_valid())
    return make_error("API server address '" + config_.server + "' is not a valid URL");
  client->set_connection_timeout(options_.connect_timeout.count());
  client->set_read_timeout(read_timeout.count());
  client->set_write_timeout(options_.request_timeout.count());
  client->set_keep_alive(false);
  client->set_tcp_nodelay(true);
  client->set_bearer_token_auth(*token);
  client->set_default_headers(
      {{"User-Agent", options_.user_agent}, {"Accept", "application/json"}});
  if (endpoint_->https) {
    client->enable_server_certificate_verification(!config_.insecure_skip_tls_verify);
    SSL_CTX* ctx = client->ssl_context();
    if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
      return make_error("cannot set up TLS for " + endpoint_->origin);
    if (endpoint_->trusted) {
      SSL_CTX_set_cert_verify_callback(ctx, verify_with_configured_cas, endpoint_->trusted);
      // The callback checks against the configured CAs alone. Without a location of its own,
      // httplib loads the system's whole CA bundle into every connection: milliseconds a
      // request, most of what a TokenReview cost the aggregator. A directory is only looked in
      // when a certificate is verified, which the callback does instead.
      client->set_ca_cert_path("", "/nonexistent/tailor-configured-cas-only");
    }
  }
  return client;
}

std::unique_ptr<httplib::Client> KubeClient::take_idle() {
  std::lock_guard lock(idle_mu_);
  if (idle_.empty()) return nullptr;
  auto client = std::move(idle_.back());
  idle_.pop_back();
  return client;
}

void KubeClient::give_back(std::unique_ptr<httplib::Client> client) {
  // As many as requests run at once at the most; more would hold the server's connections.
  constexpr std::size_t kMaxIdle = 8;
  std::lock_guard lock(idle_mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(client));
}

ApiResult KubeClient::send(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& content_type,
                           Cancellation* cancellation) {
  httplib::Request request;
  request.method = method;
  request.path = endpoint_->prefix + path;
  request.body = body;
  if (!content_type.empty()) request.set_header("Content-Type", content_type);
  // A kept-alive connection the server closed as the request went out fails without an
  // answer: the request goes once more on a new connection. A PUT or a create that did
  // arrive then answers 409, which callers already resolve by reading again.
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<httplib::Client> client = attempt == 0 ? take_idle() : nullptr;
    const bool reused = client != nullptr;
    if (reused) {
      auto token = tokens_.token();
      if (!token) return {token.error(), 0};
      client->set_bearer_token_auth(*token);
    } else {
      auto made = connect(options_.request_timeout);
      if (!made) return {made.error(), 0};
      client = std::move(*made);
      client->set_keep_alive(true);
    }
    httplib::Result answer(nullptr, httplib::Error::Unknown);
    {
      // Unregistered before the connection can go to another request.
      ActiveRequest active(cancellation, *client);
      if (cancellation && cancellation->cancelled())
        return {make_error(method + " " + path + ": cancelled"), 0};
      answer = client->send(request);
    }
    if (!answer) {
      if (reused && !(cancellation && cancellation->cancelled())) continue;
      return {make_error(method + " " + path + ": " +
                         transport_error(answer.error(), endpoint_->origin)),
              0};
    }
    const int status = answer->status;
    std::string answer_body = std::move(answer->body);
    give_back(std::move(client));
    if (status < 200 || status >= 300)
      return {make_error(status_message(method, path, status, answer_body)), status};
    auto doc = json::parse(answer_body, nullptr, false);
    if (doc.is_discarded())
      return {make_error(method + " " + path + ": the answer is not JSON"), status};
    return {std::move(doc), status};
  }
}

ApiResult KubeClient::get(const std::string& path, const Query& query, Cancellation* cancellation) {
  return send("GET", with_query(path, query), "", "", cancellation);
}

ApiResult KubeClient::list(const std::string& collection_path, const ListOptions& options,
                           Cancellation* cancellation) {
  Query query;
  add_selectors(query, options);
  return get(collection_path, query, cancellation);
}

ApiResult KubeClient::create(const std::string& collection_path, const json& object,
                             const Query& query) {
  return send("POST", with_query(collection_path, query), object.dump(), "application/json",
              nullptr);
}

ApiResult KubeClient::replace(const std::string& path, const json& object, const Query& query) {
  return send("PUT", with_query(path, query), object.dump(), "application/json", nullptr);
}

ApiResult KubeClient::patch(const std::string& path, const json& patch, PatchType type,
                            const Query& query) {
  return send("PATCH", with_query(path, query), patch.dump(),
              std::string(enum_name(kPatchContentTypes, type)), nullptr);
}

ApiResult KubeClient::remove(const std::string& path, const Query& query) {
  return send("DELETE", with_query(path, query), "", "", nullptr);
}

ApiResult KubeClient::watch(const std::string& collection_path, const WatchOptions& options,
                            const WatchHandler& handler, Cancellation* cancellation) {
  Query query = {{"watch", "true"}};
  if (!options.resource_version.empty())
    query.emplace_back("resourceVersion", options.resource_version);
  if (options.allow_bookmarks) query.emplace_back("allowWatchBookmarks", "true");
  if (options.timeout_seconds)
    query.emplace_back("timeoutSeconds", std::to_string(*options.timeout_seconds));
  add_selectors(query, options.selectors);
  const std::string path = with_query(collection_path, query);

  auto client = connect(options.idle_timeout);
  if (!client) return {client.error(), 0};
  ActiveRequest active(cancellation, **client);
  if (cancellation && cancellation->cancelled())
    return {make_error("GET " + path + ": cancelled"), 0};

  int status = 0;
  std::string error_body;
  WatchEventReader reader;
  std::optional<Error> broken;
  bool handler_done = false;
  const auto answer = (*client)->Get(
      endpoint_->prefix + path, httplib::Headers{},
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, size_t length) {
        if (cancellation && cancellation->cancelled()) return false;
        if (status != 200) {
          if (error_body.size() < kMaxErrorBody) error_body.append(data, length);
          return true;
        }
        auto events = reader.feed(std::string_view(data, length));
        if (!events) {
          broken = make_error("GET " + collection_path + " (watch): " + events.error().message);
          return false;
        }
        for (const auto& event : *events) {
          if (!handler(event)) {
            handler_done = true;
            return false;
          }
        }
        return true;
      });
  if (broken) return {*broken, status};
  if (handler_done || (cancellation && cancellation->cancelled())) return {json(), status};
  if (!answer)
    return {make_error("GET " + path + ": " + transport_error(answer.error(), endpoint_->origin)),
            status};
  if (status != 200) return {make_error(status_message("GET", path, status, error_body)), status};
  return {json(), status};
}

}  // namespace tailor::common
