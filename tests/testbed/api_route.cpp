#include "tests/testbed/api_route.h"

#include <sstream>
#include <vector>

#include "tests/testbed/table.h"

namespace tailor::testbed {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

struct Requirement {
  std::string key;
  std::string op;  // "=", "!=", "exists", "!exists"
  std::string value;
};

std::vector<Requirement> parse_selector(const std::string& selector) {
  std::vector<Requirement> out;
  for (const auto& term : split(selector, ',')) {
    if (auto p = term.find("!="); p != std::string::npos) {
      out.push_back({term.substr(0, p), "!=", term.substr(p + 2)});
    } else if (auto p2 = term.find("=="); p2 != std::string::npos) {
      out.push_back({term.substr(0, p2), "=", term.substr(p2 + 2)});
    } else if (auto p3 = term.find('='); p3 != std::string::npos) {
      out.push_back({term.substr(0, p3), "=", term.substr(p3 + 1)});
    } else if (term[0] == '!') {
      out.push_back({term.substr(1), "!exists", ""});
    } else {
      out.push_back({term, "exists", ""});
    }
  }
  return out;
}

bool satisfied(const Requirement& r, const std::optional<std::string>& actual) {
  if (r.op == "exists") return actual.has_value();
  if (r.op == "!exists") return !actual.has_value();
  const bool equal = actual.has_value() && *actual == r.value;
  return r.op == "=" ? equal : !equal;
}

}  // namespace

std::optional<ApiRoute> parse_api_path(const std::string& path) {
  const auto parts = split(path, '/');
  if (parts.empty()) return std::nullopt;
  ApiRoute route;
  size_t i = 0;
  if (parts[0] == "api") {
    if (parts.size() == 1) return ApiRoute{ApiRoute::Target::kRootVersions};
    route.version = parts[1];
    i = 2;
  } else if (parts[0] == "apis") {
    if (parts.size() == 1) return ApiRoute{ApiRoute::Target::kGroupList};
    route.group = parts[1];
    if (parts.size() == 2) {
      route.target = ApiRoute::Target::kGroup;
      return route;
    }
    route.version = parts[2];
    i = 3;
  } else {
    return std::nullopt;
  }
  if (i == parts.size()) {
    route.target = ApiRoute::Target::kResourceList;
    return route;
  }
  if (parts[i] == "namespaces" && parts.size() >= i + 3) {
    route.ns = parts[i + 1];
    route.ns_in_path = true;
    i += 2;
  }
  const size_t rest = parts.size() - i;
  if (rest < 1 || rest > 3) return std::nullopt;
  route.resource = parts[i];
  if (rest >= 2) route.name = parts[i + 1];
  if (rest == 3) route.subresource = parts[i + 2];
  return route;
}

bool matches_labels(const nlohmann::json& object, const std::string& selector) {
  const auto labels = json_path_value(object, ".metadata.labels");
  for (const auto& r : parse_selector(selector)) {
    std::optional<std::string> actual;
    if (labels.is_object() && labels.contains(r.key)) actual = labels[r.key].get<std::string>();
    if (!satisfied(r, actual)) return false;
  }
  return true;
}

bool matches_fields(const nlohmann::json& object, const std::string& selector) {
  for (const auto& r : parse_selector(selector)) {
    const auto v = json_path_value(object, "." + r.key);
    std::optional<std::string> actual = v.is_string() ? v.get<std::string>() : std::string();
    if (!satisfied(r, actual)) return false;
  }
  return true;
}

}  // namespace tailor::testbed
