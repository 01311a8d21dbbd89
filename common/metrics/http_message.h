#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tailor::common {

// One request as the routes see it: what was read, never the connection.
struct HttpRequest {
  std::string method;
  std::string path;  // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // empty for a streamed route until its body is read
  // Over TLS with a client certificate that chains to the endpoint's client CA. A certificate
  // that does not chain never gets this far: the handshake fails.
  bool verified_client_cert = false;

  // The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;

  void set_content(std::string content, std::string type) {
    body = std::move(content);
    content_type = std::move(type);
  }
  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// How the body of a streamed POST ended: read whole, past the route's limit (the connection is
// closed after the answer), or cut short (the client stopped sending or missed its deadline).
enum class BodyRead { complete, too_large, cut_short };

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;
// A streamed POST's second half: runs once the body admitted by the first is read.
using BodyHandler = std::function<void(const HttpRequest&, BodyRead, HttpResponse&)>;
// A streamed POST's first half: runs once the headers are read. It returns what takes the
// body, or nothing with `response` set: the refusal is answered, and the body read up to the
// limit and dropped (not read at all when its Content-Length is past the limit).
using AdmitHandler = std::function<BodyHandler(const HttpRequest&, HttpResponse&)>;

// "%2F" and the like in a path, as a route compares it. A malformed escape stays as it is.
std::string percent_decode(std::string_view text);

}  // namespace tailor::common
