#include "tests/e2e/dashboard_queries.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/util/file.h"

namespace tailor::e2e {
namespace {

using nlohmann::json;

std::map<std::string, std::string> substitutions(const json& dashboard) {
  std::map<std::string, std::string> values = {{"$__rate_interval", "1m"}};
  for (const auto& variable : dashboard.at("templating").at("list")) {
    if (variable.at("type") == "datasource") continue;
    const std::string current = variable.at("current").value("value", "");
    values["$" + variable.at("name").get<std::string>()] =
        current == "$__all" ? variable.value("allValue", ".*") : current;
  }
  return values;
}

}  // namespace

common::Result<std::vector<DashboardQuery>> dashboard_queries(const std::string& dashboard_path) {
  auto text = common::read_file(dashboard_path);
  if (!text) return text.error();
  const json dashboard = json::parse(*text, nullptr, false);
  if (dashboard.is_discarded()) return common::make_error(dashboard_path + " is not JSON");
  const auto values = substitutions(dashboard);
  std::vector<DashboardQuery> queries;
  for (const auto& panel : dashboard.at("panels")) {
    for (const auto& target : panel.value("targets", json::array())) {
      std::string expr = target.at("expr");
      // Longest names first, so $a cannot eat the start of $ab.
      std::vector<std::pair<std::string, std::string>> ordered(values.begin(), values.end());
      std::sort(ordered.begin(), ordered.end(),
                [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
      for (const auto& [name, value] : ordered)
        for (size_t at = expr.find(name); at != std::string::npos; at = expr.find(name, at))
          expr.replace(at, name.size(), value);
      if (expr.find('$') != std::string::npos)
        return common::make_error("panel \"" + panel.value("title", "") +
                                  "\" uses a variable the dashboard does not define: " + expr);
      queries.push_back({panel.value("title", ""), expr});
    }
  }
  return queries;
}

common::Result<std::vector<std::string>> recording_rule_exprs(const std::string& rules_path) {
  try {
    const YAML::Node rules = YAML::LoadFile(rules_path);
    std::vector<std::string> exprs;
    for (const auto& group : rules["groups"])
      for (const auto& rule : group["rules"])
        if (rule["record"]) exprs.push_back(rule["expr"].as<std::string>());
    return exprs;
  } catch (const YAML::Exception& e) {
    return common::make_error(rules_path + ": " + e.what());
  }
}

}  // namespace tailor::e2e
