#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "common/metrics/http_message.h"

namespace tailor::common {

// One route: a handler called with the whole request, or a streamed POST (admit, then body).
struct HttpRoute {
  HttpHandler handler;
  AdmitHandler admit;
  std::size_t body_limit = 0;
};

// The routes of an endpoint, by method and path: exact paths first, then the longest prefix.
// A prefix "/ui" takes "/ui" and everything under "/ui/". Filled before the endpoint serves,
// read-only after.
class HttpRoutes {
 public:
  void add(std::string method, std::string path, HttpRoute route);
  void add_prefix(std::string method, std::string prefix, HttpRoute route);
  const HttpRoute* find(std::string_view method, std::string_view path) const;

 private:
  std::map<std::string, HttpRoute, std::less<>> exact_;
  std::map<std::string, HttpRoute, std::less<>> prefix_;
};

}  // namespace tailor::common
