#include "agent/report/sender.h"

#include <httplib.h>
#include <openssl/ssl.h>

#include <charconv>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "common/util/file.h"

namespace tailor::agent {
namespace {

constexpr const char* kPath = "/api/v1/deltas";
constexpr std::size_t kMaxReasonBytes = 300;

struct Endpoint {
  std::string host;
  int port = 443;
};

common::Result<Endpoint> parse_aggregator(std::string address) {
  if (address.starts_with("https://")) address.erase(0, 8);
  if (address.find("://") != std::string::npos) {
    return common::make_error("aggregator address " + address + ": only https:// is supported");
  }
  if (!address.empty() && address.back() == '/') address.pop_back();
  Endpoint endpoint;
  if (const auto colon = address.rfind(':'); colon != std::string::npos) {
    const std::string_view port(address.data() + colon + 1, address.size() - colon - 1);
    const auto [end, error] =
        std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
    if (error != std::errc() || end != port.data() + port.size() || endpoint.port <= 0 ||
        endpoint.port > 65535) {
      return common::make_error("aggregator address " + address + ": invalid port");
    }
    address.erase(colon);
  }
  if (address.empty()) return common::make_error("aggregator address is empty; give host:port");
  endpoint.host = address;
  return endpoint;
}

common::Status check_pem(const std::string& path, std::string_view what, std::string_view marker) {
  const auto text = common::read_file(path);
  if (!text.ok()) return common::make_error(std::string(what) + ": " + text.error().message);
  if (text->find(marker) == std::string::npos) {
    return common::make_error(std::string(what) + " " + path + " is not PEM (no \"" +
                              std::string(marker) + "\")");
  }
  return common::ok_status();
}

// The server's complaint, one line and short: {"error": "..."} or the body's first line.
std::string reason_of(const httplib::Response& response) {
  std::string reason = response.body;
  const auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    reason = parsed["error"].get<std::string>();
  }
  reason = reason.substr(0, reason.find('\n')).substr(0, kMaxReasonBytes);
  return "HTTP " + std::to_string(response.status) + (reason.empty() ? "" : ": " + reason);
}

// Seconds only: the aggregator sends those, and an HTTP date would need the agent's clock to
// agree with the server's.
std::optional<std::chrono::seconds> retry_after_of(const httplib::Response& response) {
  const std::string value = response.get_header_value("Retry-After");
  int64_t seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

// The aggregator instance an acknowledgement names; empty when it names none (an older one).
std::string acknowledged_by(const httplib::Response& response) {
  const auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("aggregator") && parsed["aggregator"].is_string())
    return parsed["aggregator"].get<std::string>().substr(0, kMaxReasonBytes);
  return "";
}

SendResult classify(const httplib::Response& response) {
  const int status = response.status;
  if (status >= 200 && status < 300)
    return {Delivery::acknowledged, status, "", std::nullopt, acknowledged_by(response)};
  const bool retryable = status == 401 || status == 408 || status == 429 || status >= 500;
  return {retryable ? Delivery::retryable : Delivery::rejected, status, reason_of(response),
          retryable ? retry_after_of(response) : std::nullopt};
}

std::string describe(httplib::Error error, const std::string& ca_file) {
  switch (error) {
    case httplib::Error::SSLServerVerification:
      return "the aggregator's certificate does not verify against " + ca_file;
    case httplib::Error::SSLLoadingCerts:
      return "cannot load the CA file " + ca_file;
    default:
      return "no answer from the aggregator: " + httplib::to_string(error);
  }
}

// Enough to see a rotation: a rewritten file gets a new modification time (and mostly a size).
std::string files_version(std::initializer_list<const std::string*> paths) {
  std::string version;
  for (const std::string* path : paths) {
    if (path->empty()) continue;
    std::error_code error;
    const auto time = std::filesystem::last_write_time(*path, error);
    const auto size = std::filesystem::file_size(*path, error);
    version += std::to_string(time.time_since_epoch().count()) + ":" + std::to_string(size) + ";";
  }
  return version;
}

}  // namespace

common::Result<std::unique_ptr<Sender>> Sender::create(SenderOptions options) {
  auto endpoint = parse_aggregator(options.aggregator);
  if (!endpoint.ok()) return endpoint.error();
  if (auto ca = check_pem(options.ca_file, "CA file", "-----BEGIN CERTIFICATE-----"); !ca.ok()) {
    return ca.error();
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return common::make_error("a client certificate needs both a certificate and a key file");
  }
  if (!options.client_cert_file.empty()) {
    if (auto cert = check_pem(options.client_cert_file, "client certificate",
                              "-----BEGIN CERTIFICATE-----");
        !cert.ok()) {
      return cert.error();
    }
    if (auto key = check_pem(options.client_key_file, "client key", "-----BEGIN "); !key.ok()) {
      return key.error();
    }
  }
  return std::unique_ptr<Sender>(new Sender(std::move(options), endpoint->host, endpoint->port));
}

// The token file is read for every request (a refresh of 0): batches are seconds apart, and a
// rotated token is then never the cause of a 401.
Sender::Sender(SenderOptions options, std::string host, int port)
    : options_(std::move(options)),
      host_(std::move(host)),
      port_(port),
      token_("", options_.token_file, std::chrono::seconds(0)) {}

Sender::~Sender() = default;

httplib::SSLClient* Sender::client(bool& made) {
  auto version =
      files_version({&options_.ca_file, &options_.client_cert_file, &options_.client_key_file});
  made = !client_ || version != files_version_;
  if (!made) return client_.get();
  client_.reset();
  auto client = options_.client_cert_file.empty()
                    ? std::make_unique<httplib::SSLClient>(host_, port_)
                    : std::make_unique<httplib::SSLClient>(host_, port_, options_.client_cert_file,
                                                           options_.client_key_file);
  if (!client->is_valid()) return nullptr;
  SSL_CTX_set_min_proto_version(client->ssl_context(), TLS1_2_VERSION);
  client->set_ca_cert_path(options_.ca_file.c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(options_.connect_timeout);
  client->set_read_timeout(options_.timeout);
  client->set_write_timeout(options_.timeout);
  client->set_keep_alive(true);
  client_ = std::move(client);
  files_version_ = std::move(version);
  return client_.get();
}

SendResult Sender::send(const std::string& body) {
  httplib::Headers headers;
  if (!options_.token_file.empty()) {
    auto token = token_.token();
    // Never readable yet (the kubelet may not have written it): the next attempt may find it.
    if (!token.ok()) return {Delivery::retryable, 0, "token: " + token.error().message, {}};
    headers.emplace("Authorization", "Bearer " + *token);
  }

  try {
    // A kept connection the aggregator closed while idle (its idle timeout, a restart) fails
    // the first request on it: that one is sent once more on a new connection. Sending a batch
    // twice is harmless (merging is idempotent, docs/wire-format.md).
    for (int attempt = 0;; ++attempt) {
      bool made = false;
      auto* kept = client(made);
      if (kept == nullptr) {
        return {Delivery::retryable, 0, "cannot load the client certificate or key", {}};
      }
      const auto result = kept->Post(kPath, headers, body, "application/json");
      if (result) return classify(*result);
      client_.reset();
      if (made || attempt > 0)
        return {Delivery::retryable, 0, describe(result.error(), options_.ca_file), {}};
    }
  } catch (const std::exception& e) {
    client_.reset();
    return {Delivery::retryable, 0, std::string("sending failed: ") + e.what(), {}};
  }
}

}  // namespace tailor::agent
