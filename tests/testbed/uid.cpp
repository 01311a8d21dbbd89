#include "tests/testbed/uid.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>

namespace tailor::testbed {
namespace {

std::string format_uuid(unsigned char b[16]) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace

std::string random_uid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  return format_uuid(b);
}

std::string uid_for(const std::string& name) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  return format_uuid(digest);
}

std::string random_container_id() {
  unsigned char b[32];
  RAND_bytes(b, sizeof b);
  std::string out;
  char hex[3];
  for (unsigned char c : b) {
    std::snprintf(hex, sizeof hex, "%02x", c);
    out += hex;
  }
  return out;
}

}  // namespace tailor::testbed
