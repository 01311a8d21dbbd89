#include "common/metrics/http_routes.h"

namespace tailor::common {
namespace {

// Method and path in one key: "GET /healthz".
std::string key_of(std::string_view method, std::string_view path) {
  std::string key(method);
  key += ' ';
  key += path;
  return key;
}

}  // namespace

void HttpRoutes::add(std::string method, std::string path, HttpRoute route) {
  exact_.insert_or_assign(key_of(method, path), std::move(route));
}

void HttpRoutes::add_prefix(std::string method, std::string prefix, HttpRoute route) {
  prefix_.insert_or_assign(key_of(method, prefix), std::move(route));
}

const HttpRoute* HttpRoutes::find(std::string_view method, std::string_view path) const {
  const std::string key = key_of(method, path);
  if (const auto exact = exact_.find(key); exact != exact_.end()) return &exact->second;
  // Shorten the path one segment at a time: the first prefix found is the longest.
  std::string_view candidate = key;
  while (true) {
    if (const auto found = prefix_.find(candidate); found != prefix_.end()) return &found->second;
    const auto slash = candidate.rfind('/');
    if (slash == std::string_view::npos || slash <= method.size() + 1) return nullptr;
    candidate = candidate.substr(0, slash);
  }
}

}  // namespace tailor::common
