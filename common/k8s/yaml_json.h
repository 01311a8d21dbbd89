#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace tailor::common {

// Converts YAML to the JSON the API server would see: plain scalars are typed
// by the YAML 1.2 core schema (null, bool, int, float), quoted and block
// scalars stay strings. Empty documents ("---" separators) are skipped.
Result<std::vector<nlohmann::json>> yaml_documents_to_json(std::string_view yaml);

// A single document; an error when the text holds none or several.
Result<nlohmann::json> yaml_to_json(std::string_view yaml);

// Block-style YAML of a JSON value that yaml_to_json reads back unchanged: strings that would
// read as another type ("true", "1.0", "null", "") are quoted.
std::string json_to_yaml(const nlohmann::json& value);

}  // namespace tailor::common
