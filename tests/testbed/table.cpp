#include "tests/testbed/table.h"

#include <ctime>
#include <iomanip>
#include <sstream>

namespace tailor::testbed {

std::string human_duration(std::chrono::seconds d) {
  const long long s = d.count();
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return std::to_string(s) + "s";
  const long long m = s / 60;
  if (m < 10)
    return s % 60 == 0 ? std::to_string(m) + "m"
                       : std::to_string(m) + "m" + std::to_string(s % 60) + "s";
  if (m < 180) return std::to_string(m) + "m";
  const long long h = m / 60;
  if (h < 8)
    return m % 60 == 0 ? std::to_string(h) + "h"
                       : std::to_string(h) + "h" + std::to_string(m % 60) + "m";
  if (h < 48) return std::to_string(h) + "h";
  if (h < 24 * 8)
    return h % 24 == 0 ? std::to_string(h / 24) + "d"
                       : std::to_string(h / 24) + "d" + std::to_string(h % 24) + "h";
  if (h < 24 * 365 * 2) return std::to_string(h / 24) + "d";
  return std::to_string(h / 24 / 365) + "y";
}

std::string age_of(const std::string& timestamp) {
  std::tm tm{};
  std::istringstream in(timestamp);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return "<unknown>";
  const auto then = std::chrono::system_clock::from_time_t(timegm(&tm));
  return human_duration(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - then));
}

std::string rfc3339(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string now_rfc3339() { return rfc3339(std::chrono::system_clock::now()); }

nlohmann::json json_path_value(const nlohmann::json& object, const std::string& path) {
  const nlohmann::json* at = &object;
  std::istringstream in(path);
  std::string part;
  while (std::getline(in, part, '.')) {
    if (part.empty()) continue;
    if (!at->is_object() || !at->contains(part)) return nullptr;
    at = &(*at)[part];
  }
  return *at;
}

nlohmann::json make_table(const ResourceKind& kind, const std::vector<nlohmann::json>& objects,
                          const std::string& list_resource_version,
                          const std::string& include_object) {
  nlohmann::json defs = nlohmann::json::array();
  defs.push_back({{"name", "Name"},
                  {"type", "string"},
                  {"format", "name"},
                  {"description", "Name must be unique within a namespace."},
                  {"priority", 0}});
  for (const auto& c : kind.columns) {
    defs.push_back({{"name", c.name},
                    {"type", c.type},
                    {"format", ""},
                    {"description", ""},
                    {"priority", c.priority}});
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& object : objects) {
    nlohmann::json cells = nlohmann::json::array({object["metadata"].value("name", "")});
    for (const auto& c : kind.columns) cells.push_back(c.cell(object));
    nlohmann::json row = {{"cells", cells}};
    if (include_object == "Object") {
      row["object"] = object;
    } else if (include_object != "None") {
      row["object"] = {{"kind", "PartialObjectMetadata"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", object["metadata"]}};
    }
    rows.push_back(std::move(row));
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", {{"resourceVersion", list_resource_version}}},
          {"columnDefinitions", defs},
          {"rows", rows}};
}

}  // namespace tailor::testbed
