#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testbed/api_route.h"
#include "tests/testbed/object_store.h"
#include "tests/testbed/resource_kind.h"

namespace tailor::testbed {

struct ApiRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  ApiRoute route;
  std::map<std::string, std::string> params;  // query parameters
  std::string content_type;
  std::string accept;
  std::string body;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
  std::vector<std::string> warnings;  // sent as Warning: 299 headers
};

// The REST semantics of stored resources, apart from HTTP: get, list (plain or
// as a Table), create, update with optimistic concurrency, JSON/merge patch,
// server-side apply, status subresource, delete; custom resources are
// defaulted, pruned and validated against their schema before they are stored.
class ResourceApi {
 public:
  ResourceApi(ObjectStore& store, std::vector<ResourceKind> kinds);

  const std::vector<ResourceKind>& kinds() const { return kinds_; }
  const ResourceKind* find(const std::string& group, const std::string& version,
                           const std::string& resource) const;
  // By "v1" / "apps/v1" and plural.
  const ResourceKind* find(const std::string& api_version, const std::string& resource) const;

  // Any non-watch request on a resource of `kind`.
  ApiResponse handle(const ApiRequest& request, const ResourceKind& kind);

  // Stores `object` as a controller or kubelet would: no validation, no
  // concurrency check; uid, creationTimestamp and generation are filled in.
  nlohmann::json upsert(const ResourceKind& kind, nlohmann::json object);

 private:
  ApiResponse get(const ApiRequest& r, const ResourceKind& kind);
  ApiResponse list(const ApiRequest& r, const ResourceKind& kind);
  ApiResponse create(const ApiRequest& r, const ResourceKind& kind);
  ApiResponse update(const ApiRequest& r, const ResourceKind& kind);
  ApiResponse patch(const ApiRequest& r, const ResourceKind& kind);
  ApiResponse remove(const ApiRequest& r, const ResourceKind& kind);

  // Checks and stores `object` as the new state of an existing object (or a
  // new one when `old` is null). `expected_rv` empty: unconditional.
  ApiResponse write(const ApiRequest& r, const ResourceKind& kind, nlohmann::json object,
                    const nlohmann::json& old, const std::string& expected_rv,
                    const std::string& operation);

  ObjectStore& store_;
  std::vector<ResourceKind> kinds_;
};

}  // namespace tailor::testbed
