#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace tailor::testbed {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

PkeyPtr generate_rsa_key(int bits = 2048);
std::string private_key_pem(EVP_PKEY* key);
std::string certificate_pem(X509* cert);
// The last OpenSSL error as text, for error messages.
std::string openssl_error();

std::string base64url(const std::string& bytes);
std::string base64url_decode(const std::string& text);

}  // namespace tailor::testbed
