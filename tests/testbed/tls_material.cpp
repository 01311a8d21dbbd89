#include "tests/testbed/tls_material.h"

#include <fcntl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include "tests/testbed/openssl_util.h"

namespace tailor::testbed {
namespace {

enum class Role { ca, server, client };

X509Ptr make_cert(EVP_PKEY* key, const char* common_name, long serial, X509* issuer,
                  EVP_PKEY* issuer_key, Role role) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  const auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  if (role == Role::ca) {
    add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    add(NID_subject_key_identifier, "hash");
  } else {
    add(NID_basic_constraints, "critical,CA:FALSE");
    add(NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add(NID_ext_key_usage, role == Role::client ? "clientAuth" : "serverAuth");
    add(NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    add(NID_authority_key_identifier, "keyid");
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

}  // namespace

common::Result<TlsMaterial> generate_tls_material() {
  PkeyPtr ca_key = generate_rsa_key();
  PkeyPtr key = generate_rsa_key();
  PkeyPtr client_key = generate_rsa_key();
  if (!ca_key || !key || !client_key) {
    return common::make_error("generating RSA keys: " + openssl_error());
  }
  X509Ptr ca = make_cert(ca_key.get(), "tailor-testbed-ca", 1, nullptr, ca_key.get(), Role::ca);
  if (!ca) return common::make_error("signing the test CA: " + openssl_error());
  X509Ptr cert =
      make_cert(key.get(), "tailor-testbed-apiserver", 2, ca.get(), ca_key.get(), Role::server);
  if (!cert) return common::make_error("signing the serving certificate: " + openssl_error());
  X509Ptr client =
      make_cert(client_key.get(), "tailor-agent", 3, ca.get(), ca_key.get(), Role::client);
  if (!client) return common::make_error("signing the client certificate: " + openssl_error());
  return TlsMaterial{certificate_pem(ca.get()), certificate_pem(cert.get()),
                     private_key_pem(key.get()), certificate_pem(client.get()),
                     private_key_pem(client_key.get())};
}

common::Status write_private_file(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return common::make_error("cannot write " + path);
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!ok) return common::make_error("short write to " + path);
  return common::ok_status();
}

}  // namespace tailor::testbed
