#include "tests/testbed/service_account_tokens.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "tests/testbed/uid.h"

namespace tailor::testbed {
namespace {

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string sha256(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

std::string bignum_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

}  // namespace

ServiceAccountTokens::ServiceAccountTokens(std::string issuer)
    : issuer_(std::move(issuer)), key_(generate_rsa_key()) {
  // Like the kube-apiserver: the key id is the hash of the DER public key.
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key_.get(), &der);
  key_id_ = base64url(sha256(std::string(reinterpret_cast<char*>(der), static_cast<size_t>(n))));
  OPENSSL_free(der);
}

std::string ServiceAccountTokens::issue(const BoundTokenClaims& c) const {
  const int64_t now = unix_now();
  const nlohmann::json header = {{"alg", "RS256"}, {"kid", key_id_}};
  const nlohmann::json payload = {
      {"iss", issuer_},
      {"sub", "system:serviceaccount:" + c.ns + ":" + c.service_account},
      {"aud", c.audiences},
      {"exp", now + c.ttl.count()},
      {"nbf", now},
      {"iat", now},
      {"jti", random_uid()},
      {"kubernetes.io",
       {{"namespace", c.ns},
        {"pod", {{"name", c.pod_name}, {"uid", c.pod_uid}}},
        {"serviceaccount",
         {{"name", c.service_account}, {"uid", uid_for("sa/" + c.ns + "/" + c.service_account)}}},
        {"node", {{"name", c.node_name}, {"uid", uid_for("node/" + c.node_name)}}}}}};
  const std::string signing_input = base64url(header.dump()) + "." + base64url(payload.dump());

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
  size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len,
                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  std::string signature(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  signature.resize(len);
  return signing_input + "." + base64url(signature);
}

common::Result<nlohmann::json> ServiceAccountTokens::verify(const std::string& token) const {
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 == std::string::npos ? dot1 : dot1 + 1);
  if (dot1 == std::string::npos || dot2 == std::string::npos) {
    return common::make_error("not a JWT");
  }
  const std::string signing_input = token.substr(0, dot2);
  const std::string signature = base64url_decode(token.substr(dot2 + 1));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
    return common::make_error("invalid signature");
  }
  const auto header =
      nlohmann::json::parse(base64url_decode(token.substr(0, dot1)), nullptr, false);
  auto payload = nlohmann::json::parse(base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)),
                                       nullptr, false);
  if (!header.is_object() || header.value("alg", "") != "RS256" || !payload.is_object()) {
    return common::make_error("malformed JWT");
  }
  if (payload.value("iss", "") != issuer_) return common::make_error("unknown issuer");
  const int64_t now = unix_now();
  if (payload.value("exp", int64_t{0}) <= now) {
    return common::make_error("service account token has expired");
  }
  if (payload.value("nbf", int64_t{0}) > now) {
    return common::make_error("service account token is not valid yet");
  }
  return payload;
}

nlohmann::json ServiceAccountTokens::jwks() const {
  return {{"keys",
           {{{"use", "sig"},
             {"kty", "RSA"},
             {"kid", key_id_},
             {"alg", "RS256"},
             {"n", base64url(bignum_param(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
             {"e", base64url(bignum_param(key_.get(), OSSL_PKEY_PARAM_RSA_E))}}}}};
}

}  // namespace tailor::testbed
