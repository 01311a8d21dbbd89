#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/k8s/client/token_source.h"
#include "common/util/result.h"

namespace httplib {
class SSLClient;
}

namespace tailor::agent {

struct SenderOptions {
  std::string aggregator;  // "host:port", "host" (port 443) or "https://host:port"
  std::string ca_file;     // the only CA the aggregator's certificate may chain to
  // A bearer token, read again for every request: projected service-account tokens rotate.
  // While the file cannot be read, the last token read is sent. Empty: no Authorization header.
  std::string token_file;
  std::string client_cert_file;  // PEM; with client_key_file, for mutual TLS. Empty: none.
  std::string client_key_file;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};  // for reading and for writing
};

// What became of one POST, and so of the batch.
enum class Delivery {
  acknowledged,  // 2xx: delete the batch
  retryable,     // no answer, 401 (a stale token), 408, 429 or 5xx: keep it, retry later
  rejected,      // any other 4xx: it would never succeed; drop it and count it
};

struct SendResult {
  Delivery delivery = Delivery::retryable;
  int status = 0;      // HTTP status; 0 when there was no answer
  std::string reason;  // for logs: the server's complaint or why there was no answer
  std::optional<std::chrono::seconds> retry_after;
  // The aggregator instance that acknowledged (its answer's "aggregator"); empty otherwise.
  std::string acknowledged_by;
};

// POSTs encoded deltas to https://<aggregator>/api/v1/deltas, verifying the server against
// ca_file with TLS 1.2 or newer. One connection is kept alive across sends (a full handshake
// per node per round costs the aggregator more than the batch: docs/decisions/0011); it is
// opened again after a send that got no answer, and when the CA or client certificate files
// change, so rotated files are still picked up.
class Sender {
 public:
  // Checks that the files exist and hold what they should, so a misconfiguration is reported
  // at start-up rather than at the first batch.
  static common::Result<std::unique_ptr<Sender>> create(SenderOptions options);
  ~Sender();

  // Never throws; every failure is a SendResult.
  SendResult send(const std::string& body);

 private:
  Sender(SenderOptions options, std::string host, int port);
  // The kept client, made anew (`made`) when there is none or its files changed; nullptr when
  // the client certificate or key cannot be loaded.
  httplib::SSLClient* client(bool& made);

  SenderOptions options_;
  std::string host_;
  int port_;
  common::TokenSource token_;
  std::unique_ptr<httplib::SSLClient> client_;
  std::string files_version_;  // the files' sizes and times when client_ was made
};

}  // namespace tailor::agent
