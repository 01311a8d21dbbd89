#include "tests/support/k8s/schema_validator.h"

#include <cmath>
#include <regex>
#include <set>

namespace tailor::testing {
namespace {

using nlohmann::json;
using Type = FieldError::Type;

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// The OpenAPI type name of a JSON value, as kube-openapi reports it.
std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    default:
      return "object";
  }
}

bool has_type(const json& v, const std::string& type) {
  const std::string actual = type_name(v);
  return actual == type || (type == "number" && actual == "integer");
}

bool preserves_unknown(const json& schema) {
  return schema.value("x-kubernetes-preserve-unknown-fields", false);
}

bool is_rfc3339(const std::string& s) {
  static const std::regex kDateTime(
      R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s, kDateTime);
}

class Walker {
 public:
  explicit Walker(std::vector<FieldError>& errors) : errors_(errors) {}

  void walk(const json& schema, const json& v, const std::string& path) {
    if (v.is_null()) {
      if (!schema.value("nullable", false) && schema.contains("type")) type_error(schema, v, path);
      return;
    }
    if (schema.value("x-kubernetes-int-or-string", false)) {
      if (!v.is_string() && !v.is_number_integer()) {
        invalid(path, "\"" + type_name(v) + "\"",
                path + " in body must be of type integer,string: \"" + type_name(v) + "\"");
        return;
      }
    } else if (schema.contains("type") && !has_type(v, schema["type"].get<std::string>())) {
      type_error(schema, v, path);
      return;
    }
    if (schema.contains("enum")) check_enum(schema["enum"], v, path);
    if (v.is_string()) check_string(schema, v.get<std::string>(), path);
    if (v.is_number()) check_number(schema, v, path);
    if (v.is_array()) walk_array(schema, v, path);
    if (v.is_object()) walk_object(schema, v, path);
  }

 private:
  void add(Type type, const std::string& path, std::string detail) {
    errors_.push_back({type, path, std::move(detail)});
  }
  void invalid(const std::string& path, const std::string& value, const std::string& why) {
    add(Type::kInvalid, path, "Invalid value: " + value + ": " + why);
  }
  void type_error(const json& schema, const json& v, const std::string& path) {
    const std::string actual = type_name(v);
    invalid(path, "\"" + actual + "\"",
            path + " in body must be of type " + schema.value("type", "") + ": \"" + actual + "\"");
  }

  void check_enum(const json& allowed, const json& v, const std::string& path) {
    for (const auto& a : allowed) {
      if (a == v) return;
    }
    std::string supported;
    for (const auto& a : allowed) supported += (supported.empty() ? "" : ", ") + a.dump();
    add(Type::kNotSupported, path,
        "Unsupported value: " + v.dump() + ": supported values: " + supported);
  }

  void check_string(const json& schema, const std::string& s, const std::string& path) {
    const std::string quoted = json(s).dump();
    if (schema.contains("maxLength") && s.size() > schema["maxLength"].get<size_t>()) {
      add(Type::kTooLong, path,
          "Too long: may not be more than " + std::to_string(schema["maxLength"].get<size_t>()) +
              " bytes");
    }
    if (schema.contains("minLength") && s.size() < schema["minLength"].get<size_t>()) {
      invalid(path, quoted,
              path + " in body should be at least " +
                  std::to_string(schema["minLength"].get<size_t>()) + " chars long");
    }
    if (schema.contains("pattern")) {
      const auto pattern = schema["pattern"].get<std::string>();
      if (!std::regex_search(s, std::regex(pattern, std::regex::ECMAScript))) {
        invalid(path, quoted, path + " in body should match '" + pattern + "'");
      }
    }
    if (schema.value("format", "") == "date-time" && !is_rfc3339(s)) {
      invalid(path, quoted, path + " in body must be of type date-time: " + quoted);
    }
  }

  void check_number(const json& schema, const json& v, const std::string& path) {
    const double d = v.get<double>();
    const std::string shown = v.dump();
    if (schema.contains("minimum")) {
      const double min = schema["minimum"].get<double>();
      const bool exclusive = schema.value("exclusiveMinimum", false);
      if (exclusive ? d <= min : d < min) {
        invalid(path, shown,
                path + " in body should be greater than " + (exclusive ? "" : "or equal to ") +
                    schema["minimum"].dump());
      }
    }
    if (schema.contains("maximum")) {
      const double max = schema["maximum"].get<double>();
      const bool exclusive = schema.value("exclusiveMaximum", false);
      if (exclusive ? d >= max : d > max) {
        invalid(path, shown,
                path + " in body should be less than " + (exclusive ? "" : "or equal to ") +
                    schema["maximum"].dump());
      }
    }
    if (schema.value("format", "") == "int32" &&
        (d < static_cast<double>(INT32_MIN) || d > static_cast<double>(INT32_MAX))) {
      invalid(path, shown, path + " in body must be of type int32: \"" + shown + "\"");
    }
  }

  void walk_array(const json& schema, const json& v, const std::string& path) {
    const size_t n = v.size();
    if (schema.contains("maxItems") && n > schema["maxItems"].get<size_t>()) {
      add(Type::kTooMany, path,
          "Too many: " + std::to_string(n) + ": must have at most " +
              std::to_string(schema["maxItems"].get<size_t>()) + " items");
    }
    if (schema.contains("minItems") && n < schema["minItems"].get<size_t>()) {
      invalid(path, std::to_string(n),
              path + " in body should have at least " +
                  std::to_string(schema["minItems"].get<size_t>()) + " items");
    }
    if (schema.contains("items")) {
      for (size_t i = 0; i < n; ++i) walk(schema["items"], v[i], index(path, i));
    }
    const std::string list_type = schema.value("x-kubernetes-list-type", "atomic");
    if (list_type == "set") {
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (v[i] == v[j]) {
            add(Type::kDuplicate, index(path, i), "Duplicate value: " + v[i].dump());
            break;
          }
        }
      }
    } else if (list_type == "map" && schema.contains("x-kubernetes-list-map-keys")) {
      std::set<json> seen;
      for (size_t i = 0; i < n; ++i) {
        if (!v[i].is_object()) continue;
        json key = json::object();
        for (const auto& k : schema["x-kubernetes-list-map-keys"]) {
          const auto name = k.get<std::string>();
          if (v[i].contains(name)) key[name] = v[i][name];
        }
        if (!seen.insert(key).second) {
          add(Type::kDuplicate, index(path, i), "Duplicate value: " + key.dump());
        }
      }
    }
  }

  void walk_object(const json& schema, const json& v, const std::string& path) {
    for (const auto& r : schema.value("required", json::array())) {
      const auto name = r.get<std::string>();
      if (!v.contains(name)) add(Type::kRequired, child(path, name), "Required value");
    }
    const json* props = schema.contains("properties") ? &schema["properties"] : nullptr;
    const json* extra =
        schema.contains("additionalProperties") && schema["additionalProperties"].is_object()
            ? &schema["additionalProperties"]
            : nullptr;
    for (const auto& [key, value] : v.items()) {
      if (props && props->contains(key)) {
        walk((*props)[key], value, child(path, key));
      } else if (extra) {
        walk(*extra, value, child(path, key));
      }
    }
  }

  std::vector<FieldError>& errors_;
};

bool root_meta(const std::string& path, const std::string& key) {
  return path.empty() && (key == "apiVersion" || key == "kind" || key == "metadata");
}

void prune_value(const json& schema, json& v, const std::string& path,
                 std::vector<std::string>& removed) {
  if (preserves_unknown(schema)) return;
  if (v.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < v.size(); ++i)
      prune_value(schema["items"], v[i], index(path, i), removed);
    return;
  }
  if (!v.is_object()) return;
  const json empty = json::object();
  const json& props = schema.contains("properties") ? schema["properties"] : empty;
  const bool open =
      schema.contains("additionalProperties") &&
      (schema["additionalProperties"].is_object() || schema["additionalProperties"] == true);
  for (auto it = v.begin(); it != v.end();) {
    const std::string key = it.key();
    if (root_meta(path, key)) {
      ++it;
    } else if (props.contains(key)) {
      prune_value(props[key], it.value(), child(path, key), removed);
      ++it;
    } else if (open) {
      if (schema["additionalProperties"].is_object()) {
        prune_value(schema["additionalProperties"], it.value(), child(path, key), removed);
      }
      ++it;
    } else {
      removed.push_back(child(path, key));
      it = v.erase(it);
    }
  }
}

void default_value(const json& schema, json& v) {
  if (v.is_array() && schema.contains("items")) {
    for (auto& item : v) default_value(schema["items"], item);
    return;
  }
  if (!v.is_object()) return;
  if (schema.contains("properties")) {
    for (const auto& [key, sub] : schema["properties"].items()) {
      if (!v.contains(key) && sub.contains("default")) v[key] = sub["default"];
      if (v.contains(key)) default_value(sub, v[key]);
    }
  }
  if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
    for (auto& [key, value] : v.items()) default_value(schema["additionalProperties"], value);
  }
}

}  // namespace

SchemaValidator::SchemaValidator(nlohmann::json schema) : schema_(std::move(schema)) {}

std::vector<FieldError> SchemaValidator::validate(const nlohmann::json& object) const {
  std::vector<FieldError> errors;
  Walker(errors).walk(schema_, object, "");
  return errors;
}

std::vector<std::string> SchemaValidator::prune(nlohmann::json& object) const {
  std::vector<std::string> removed;
  prune_value(schema_, object, "", removed);
  return removed;
}

void SchemaValidator::apply_defaults(nlohmann::json& object) const {
  default_value(schema_, object);
}

}  // namespace tailor::testing
