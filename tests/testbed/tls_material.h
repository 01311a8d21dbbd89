#pragma once

#include <string>

#include "common/util/result.h"

namespace tailor::testbed {

// A throwaway CA and a serving certificate it signed, for 127.0.0.1 and
// localhost, so kubectl can verify the bed's server via certificate-authority; and a client
// certificate from the same CA, for mutual TLS.
struct TlsMaterial {
  std::string ca_cert_pem;
  std::string cert_pem;
  std::string key_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
};

common::Result<TlsMaterial> generate_tls_material();

// Writes `pem` to `path` readable by the owner only.
common::Status write_private_file(const std::string& path, const std::string& content);

}  // namespace tailor::testbed
