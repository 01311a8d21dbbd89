#pragma once

#include <httplib.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/common/testing/temp_dir.h"
#include "tests/testbed/tls_material.h"

namespace tailor::agent::testing {

// A throwaway CA, a serving certificate for 127.0.0.1 and a client certificate, written as
// files into a directory.
struct TlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string client_cert_file;
  std::string client_key_file;

  static TlsFiles generate(const common::testing::TempDir& dir, const std::string& prefix) {
    auto material = testbed::generate_tls_material();
    if (!material.ok()) throw std::runtime_error(material.error().message);
    TlsFiles files{dir.file(prefix + "-ca.pem"), dir.file(prefix + "-cert.pem"),
                   dir.file(prefix + "-key.pem"), dir.file(prefix + "-client-cert.pem"),
                   dir.file(prefix + "-client-key.pem")};
    if (!testbed::write_private_file(files.ca_file, material->ca_cert_pem).ok() ||
        !testbed::write_private_file(files.cert_file, material->cert_pem).ok() ||
        !testbed::write_private_file(files.key_file, material->key_pem).ok() ||
        !testbed::write_private_file(files.client_cert_file, material->client_cert_pem).ok() ||
        !testbed::write_private_file(files.client_key_file, material->client_key_pem).ok()) {
      throw std::runtime_error("cannot write TLS files into " + dir.path().string());
    }
    return files;
  }
};

// An HTTPS server on 127.0.0.1 that a test gives routes to, then starts, stops and starts
// again on the same port.
class LocalHttpsServer {
 public:
  explicit LocalHttpsServer(const TlsFiles& tls)
      : server_(tls.cert_file.c_str(), tls.key_file.c_str()) {
    if (!server_.is_valid()) throw std::runtime_error("cannot load the test certificate");
  }
  ~LocalHttpsServer() { stop(); }

  httplib::SSLServer& server() { return server_; }
  int port() const { return port_; }

  // Port 0: any free port; otherwise that one (a restart).
  void start(int port = 0) {
    port_ = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                      : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
    if (port_ <= 0) throw std::runtime_error("cannot bind the test server");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }

  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace tailor::agent::testing
