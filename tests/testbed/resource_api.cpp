#include "tests/testbed/resource_api.h"

#include <regex>

#include "common/k8s/yaml_json.h"
#include "tests/testbed/api_status.h"
#include "tests/testbed/strategic_merge.h"
#include "tests/testbed/table.h"
#include "tests/testbed/uid.h"

namespace tailor::testbed {
namespace {

using nlohmann::json;

ApiResponse failure(int code, const std::string& message, json details = nullptr) {
  return {code, status_failure(code, reason_for(code), message, std::move(details)), {}};
}

std::string param(const ApiRequest& r, const std::string& key) {
  auto it = r.params.find(key);
  return it == r.params.end() ? "" : it->second;
}

bool wants_table(const ApiRequest& r) { return r.accept.find("as=Table") != std::string::npos; }

std::string meta(const json& object, const char* field) {
  const auto& m = object.is_object() ? object.value("metadata", json::object()) : json::object();
  return m.is_object() ? m.value(field, "") : "";
}

// Everything but metadata and status: what bumps metadata.generation.
json content(json object) {
  object.erase("metadata");
  object.erase("status");
  return object;
}

// Merges maps recursively; anything else (lists included) is replaced, as
// server-side apply does for atomic lists.
void deep_merge(json& into, const json& patch) {
  for (const auto& [key, value] : patch.items()) {
    if (value.is_object() && into.contains(key) && into[key].is_object()) {
      deep_merge(into[key], value);
    } else {
      into[key] = value;
    }
  }
}

void record_manager(json& object, const std::string& manager, const std::string& operation,
                    const std::string& api_version) {
  json& fields = object["metadata"]["managedFields"];
  if (!fields.is_array()) fields = json::array();
  json kept = json::array();
  for (const auto& f : fields) {
    if (f.value("manager", "") != manager || f.value("operation", "") != operation)
      kept.push_back(f);
  }
  json top = json::object();
  const json owned = content(object);
  for (const auto& [key, value] : owned.items()) top["f:" + key] = json::object();
  kept.push_back({{"manager", manager},
                  {"operation", operation},
                  {"apiVersion", api_version},
                  {"time", now_rfc3339()},
                  {"fieldsType", "FieldsV1"},
                  {"fieldsV1", top}});
  fields = kept;
}

std::vector<testing::FieldError> validate_name(const json& object) {
  static const std::regex kSubdomain(
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  const std::string name = meta(object, "name");
  if (name.empty())
    return {{testing::FieldError::Type::kRequired, "metadata.name",
             "Required value: name or generateName is required"}};
  if (name.size() > 253 || !std::regex_match(name, kSubdomain)) {
    return {{testing::FieldError::Type::kInvalid, "metadata.name",
             "Invalid value: \"" + name +
                 "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                 "characters, '-' or '.', and must start and end with an alphanumeric character "
                 "(e.g. 'example.com', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"}};
  }
  return {};
}

common::Result<json> decode(const ApiRequest& r) {
  if (r.content_type.find("yaml") != std::string::npos) return common::yaml_to_json(r.body);
  auto body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) return common::make_error("couldn't get version/kind; json parse error");
  return body;
}

}  // namespace

ResourceApi::ResourceApi(ObjectStore& store, std::vector<ResourceKind> kinds)
    : store_(store), kinds_(std::move(kinds)) {}

const ResourceKind* ResourceApi::find(const std::string& group, const std::string& version,
                                      const std::string& resource) const {
  for (const auto& k : kinds_) {
    if (k.group == group && k.version == version && k.plural == resource) return &k;
  }
  return nullptr;
}

const ResourceKind* ResourceApi::find(const std::string& api_version,
                                      const std::string& resource) const {
  const auto slash = api_version.find('/');
  if (slash == std::string::npos) return find("", api_version, resource);
  return find(api_version.substr(0, slash), api_version.substr(slash + 1), resource);
}

ApiResponse ResourceApi::handle(const ApiRequest& r, const ResourceKind& kind) {
  if (!r.route.subresource.empty() &&
      (r.route.subresource != "status" || !kind.status_subresource)) {
    return failure(404, "the server could not find the requested resource");
  }
  if (r.method == "GET") return r.route.name.empty() ? list(r, kind) : get(r, kind);
  if (r.method == "POST" && r.route.name.empty()) return create(r, kind);
  if (r.method == "PUT" && !r.route.name.empty()) return update(r, kind);
  if (r.method == "PATCH" && !r.route.name.empty()) return patch(r, kind);
  if (r.method == "DELETE" && !r.route.name.empty()) return remove(r, kind);
  return failure(405, "the server does not allow this method on the requested resource");
}

json ResourceApi::upsert(const ResourceKind& kind, json object) {
  object["apiVersion"] = kind.group_version();
  object["kind"] = kind.kind;
  json& m = object["metadata"];
  if (!kind.namespaced) m.erase("namespace");
  if (kind.namespaced && !m.contains("namespace")) m["namespace"] = "default";
  const auto old = store_.get(kind.key(), meta(object, "namespace"), meta(object, "name"));
  m["uid"] = old ? meta(*old, "uid") : m.value("uid", random_uid());
  if (!m.contains("creationTimestamp")) {
    m["creationTimestamp"] = old ? meta(*old, "creationTimestamp") : now_rfc3339();
  }
  if (!m.contains("generation")) m["generation"] = 1;
  return store_.put(kind.key(), std::move(object), ObjectStore::Expect::kAny).object;
}

ApiResponse ResourceApi::get(const ApiRequest& r, const ResourceKind& kind) {
  auto object = store_.get(kind.key(), r.route.ns, r.route.name);
  if (!object) return {404, not_found(kind.qualified(), r.route.name), {}};
  if (wants_table(r)) {
    return {
        200,
        make_table(kind, {*object}, meta(*object, "resourceVersion"), param(r, "includeObject")),
        {}};
  }
  return {200, *object, {}};
}

ApiResponse ResourceApi::list(const ApiRequest& r, const ResourceKind& kind) {
  auto [objects, rv] = store_.list(kind.key(), r.route.ns);
  std::vector<json> items;
  for (auto& o : objects) {
    if (matches_labels(o, param(r, "labelSelector")) &&
        matches_fields(o, param(r, "fieldSelector"))) {
      items.push_back(std::move(o));
    }
  }
  if (wants_table(r)) {
    return {200, make_table(kind, items, std::to_string(rv), param(r, "includeObject")), {}};
  }
  return {200,
          {{"kind", kind.kind + "List"},
           {"apiVersion", kind.group_version()},
           {"metadata", {{"resourceVersion", std::to_string(rv)}}},
           {"items", items}},
          {}};
}

ApiResponse ResourceApi::create(const ApiRequest& r, const ResourceKind& kind) {
  auto body = decode(r);
  if (!body) return failure(400, body.error().message);
  json object = std::move(*body);
  json& m = object["metadata"];
  if (!m.is_object()) m = json::object();
  if (meta(object, "name").empty() && !meta(object, "generateName").empty()) {
    m["name"] = meta(object, "generateName") + random_uid().substr(0, 5);
  }
  for (const char* f : {"uid", "resourceVersion", "deletionTimestamp", "managedFields"}) m.erase(f);
  m["uid"] = random_uid();
  m["creationTimestamp"] = now_rfc3339();
  m["generation"] = 1;
  // Status is the controllers' to write, through the status subresource.
  if (kind.status_subresource) object.erase("status");
  return write(r, kind, std::move(object), nullptr, "", "Update");
}

ApiResponse ResourceApi::update(const ApiRequest& r, const ResourceKind& kind) {
  auto body = decode(r);
  if (!body) return failure(400, body.error().message);
  const auto old = store_.get(kind.key(), r.route.ns, r.route.name);
  if (!old) return {404, not_found(kind.qualified(), r.route.name), {}};
  json object = std::move(*body);
  if (!object.contains("metadata") || !object["metadata"].is_object())
    object["metadata"] = json::object();
  const std::string rv = meta(object, "resourceVersion");
  if (rv.empty() && !kind.unconditional_update) {
    return {422,
            invalid(kind.kind, kind.group, r.route.name,
                    {{testing::FieldError::Type::kInvalid, "metadata.resourceVersion",
                      "Invalid value: 0x0: must be specified for an update"}}),
            {}};
  }
  if (r.route.subresource == "status") {
    json status = object.value("status", json());
    object = *old;
    object["metadata"]["resourceVersion"] = rv;
    if (status.is_null())
      object.erase("status");
    else
      object["status"] = status;
  }
  return write(r, kind, std::move(object), *old, rv, "Update");
}

ApiResponse ResourceApi::patch(const ApiRequest& r, const ResourceKind& kind) {
  const auto old = store_.get(kind.key(), r.route.ns, r.route.name);
  const bool apply = r.content_type.find("apply-patch") != std::string::npos;
  if (apply) {
    const std::string manager = param(r, "fieldManager");
    if (manager.empty()) {
      return failure(
          400, "PATCH, application/apply-patch+yaml: fieldManager is required for apply patch");
    }
    auto body = decode(r);
    if (!body) return failure(400, body.error().message);
    json object;
    if (!old) {
      ApiRequest as_create = r;
      as_create.body = body->dump();
      as_create.content_type = "application/json";
      auto created = create(as_create, kind);
      if (created.status == 201) {
        // The applier is the object's only manager, not an "Update" writer.
        created.body["metadata"]["managedFields"] = json::array();
        record_manager(created.body, manager, "Apply", kind.group_version());
        created.body = store_.put(kind.key(), created.body, ObjectStore::Expect::kPresent).object;
      }
      return created;
    }
    // Without field-level ownership, the bed approximates apply: a manager that
    // is the only writer owns everything, so its configuration replaces the
    // object (fields it dropped disappear); otherwise the configuration is merged.
    const auto& fields =
        old->value("metadata", json::object()).value("managedFields", json::array());
    const bool sole = fields.size() == 1 && fields[0].value("manager", "") == manager &&
                      fields[0].value("operation", "") == "Apply";
    if (sole) {
      object = *body;
      object["metadata"] = (*old)["metadata"];
      deep_merge(object["metadata"], body->value("metadata", json::object()));
      if (old->contains("status")) object["status"] = (*old)["status"];
    } else {
      object = *old;
      deep_merge(object, *body);
    }
    object["metadata"]["resourceVersion"] = meta(*old, "resourceVersion");
    record_manager(object, manager, "Apply", kind.group_version());
    return write(r, kind, std::move(object), *old, meta(*old, "resourceVersion"), "Apply");
  }
  if (!old) return {404, not_found(kind.qualified(), r.route.name), {}};
  auto body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) return failure(400, "error decoding patch: invalid JSON");
  json object;
  try {
    // Custom resources have no patch strategy.
    const bool strategic = r.content_type.find("strategic-merge-patch") != std::string::npos;
    if (r.content_type.find("json-patch") != std::string::npos) {
      object = old->patch(body);
    } else if (strategic && !kind.validator) {
      object = *old;
      strategic_merge(object, body);
    } else if (r.content_type.find("merge-patch") != std::string::npos && !strategic) {
      object = *old;
      object.merge_patch(body);
    } else {
      return failure(415,
                     "the body of the request was in an unknown format - accepted media types "
                     "include: application/json-patch+json, application/merge-patch+json, "
                     "application/apply-patch+yaml");
    }
  } catch (const json::exception& e) {
    return failure(
        422,
        std::string("the server rejected our request due to an error in our request: ") + e.what());
  }
  const std::string rv = meta(object, "resourceVersion");
  if (r.route.subresource == "status") {
    json status = object.value("status", json());
    object = *old;
    if (status.is_null())
      object.erase("status");
    else
      object["status"] = status;
  }
  return write(r, kind, std::move(object), *old, rv.empty() ? meta(*old, "resourceVersion") : rv,
               "Update");
}

ApiResponse ResourceApi::remove(const ApiRequest& r, const ResourceKind& kind) {
  auto result = store_.remove(kind.key(), r.route.ns, r.route.name);
  if (result.outcome == ObjectStore::Outcome::kNotFound) {
    return {404, not_found(kind.qualified(), r.route.name), {}};
  }
  return {200, result.object, {}};
}

ApiResponse ResourceApi::write(const ApiRequest& r, const ResourceKind& kind, json object,
                               const json& old, const std::string& expected_rv,
                               const std::string& operation) {
  if (!object.is_object())
    return failure(400, "the object in the request body is not a JSON object");
  const std::string api_version = object.value("apiVersion", kind.group_version());
  const std::string kind_name = object.value("kind", kind.kind);
  if (api_version != kind.group_version() || kind_name != kind.kind) {
    return failure(400, "the API version in the data (" + api_version + ") does not match the " +
                            "expected API version (" + kind.group_version() + ")");
  }
  object["apiVersion"] = api_version;
  object["kind"] = kind_name;
  json& m = object["metadata"];
  if (kind.namespaced) {
    const std::string ns = m.value("namespace", "");
    if (!ns.empty() && r.route.ns_in_path && ns != r.route.ns) {
      return failure(
          400,
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    m["namespace"] = r.route.ns_in_path ? r.route.ns : (ns.empty() ? "default" : ns);
  } else {
    m.erase("namespace");
  }
  if (!r.route.name.empty() && meta(object, "name") != r.route.name && !old.is_null()) {
    return failure(400, "the name of the object (" + meta(object, "name") +
                            ") does not match the name on the URL (" + r.route.name + ")");
  }
  std::vector<std::string> warnings;
  auto errors = validate_name(object);
  if (kind.validator) {
    auto pruned = kind.validator->prune(object);
    if (!pruned.empty() && param(r, "fieldValidation") == "Strict") {
      std::string message = "strict decoding error: ";
      for (size_t i = 0; i < pruned.size(); ++i) {
        message += (i ? ", " : "") + std::string("unknown field \"") + pruned[i] + "\"";
      }
      return failure(400, message);
    }
    if (param(r, "fieldValidation") != "Ignore") {
      for (const auto& p : pruned) warnings.push_back("unknown field \"" + p + "\"");
    }
    kind.validator->apply_defaults(object);
    auto schema_errors = kind.validator->validate(object);
    errors.insert(errors.end(), schema_errors.begin(), schema_errors.end());
  }
  if (!errors.empty())
    return {422, invalid(kind.kind, kind.group, meta(object, "name"), errors), warnings};

  if (!old.is_null()) {
    for (const char* f : {"uid", "creationTimestamp", "generation"})
      m[f] = old["metadata"].value(f, json());
    if (content(object) != content(old))
      m["generation"] = old["metadata"].value("generation", 1) + 1;
    if (kind.status_subresource && r.route.subresource.empty()) {
      if (old.contains("status"))
        object["status"] = old["status"];
      else
        object.erase("status");
    }
  }
  if (operation != "Apply") {
    const std::string manager = param(r, "fieldManager");
    record_manager(object, manager.empty() ? "unknown" : manager, operation, kind.group_version());
  }
  if (param(r, "dryRun") == "All") return {old.is_null() ? 201 : 200, object, warnings};

  const auto expect = old.is_null() ? ObjectStore::Expect::kAbsent : ObjectStore::Expect::kPresent;
  auto result = store_.put(kind.key(), std::move(object), expect,
                           expected_rv.empty() ? std::nullopt : std::optional(expected_rv));
  const std::string what = kind.qualified() + " \"" + r.route.name + "\"";
  switch (result.outcome) {
    case ObjectStore::Outcome::kAlreadyExists:
      return {409,
              status_failure(
                  409, "AlreadyExists",
                  kind.qualified() + " \"" + meta(result.object, "name") + "\" already exists",
                  {{"name", meta(result.object, "name")},
                   {"group", kind.group},
                   {"kind", kind.plural}}),
              warnings};
    case ObjectStore::Outcome::kNotFound:
      return {404, not_found(kind.qualified(), r.route.name), warnings};
    case ObjectStore::Outcome::kConflict:
      return {
          409,
          status_failure(409, "Conflict",
                         "Operation cannot be fulfilled on " + what +
                             ": the object has been modified; please apply your changes to the "
                             "latest version and try again",
                         {{"name", r.route.name}, {"group", kind.group}, {"kind", kind.plural}}),
          warnings};
    case ObjectStore::Outcome::kOk:
      break;
  }
  return {old.is_null() ? 201 : 200, std::move(result.object), warnings};
}

}  // namespace tailor::testbed
