#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "tests/testbed/openssl_util.h"

namespace tailor::testbed {

// What a bound service-account token says about its holder.
struct BoundTokenClaims {
  std::string ns;
  std::string service_account;
  std::string pod_name;
  std::string pod_uid;
  std::string node_name;
  std::vector<std::string> audiences;
  std::chrono::seconds ttl{3600};
};

// Signs and checks bound service-account tokens: RS256 JWTs with the claims
// the kube-apiserver puts in them (iss, sub, aud, exp, nbf, iat, jti and the
// kubernetes.io block naming namespace, pod, service account and node).
class ServiceAccountTokens {
 public:
  explicit ServiceAccountTokens(std::string issuer);

  std::string issue(const BoundTokenClaims& claims) const;

  // The payload of a token this issuer signed, if the signature, issuer and
  // validity window hold. Audiences and pod binding are the caller's to check.
  common::Result<nlohmann::json> verify(const std::string& token) const;

  const std::string& issuer() const { return issuer_; }
  // The public key as a JWK Set, as /openid/v1/jwks serves it.
  nlohmann::json jwks() const;

 private:
  std::string issuer_;
  PkeyPtr key_;
  std::string key_id_;
};

}  // namespace tailor::testbed
