#include "tests/testbed/strategic_merge.h"

#include <algorithm>

namespace tailor::testbed {
namespace {

using nlohmann::json;

bool named_items(const json& list) {
  return std::all_of(list.begin(), list.end(), [](const json& item) {
    return item.is_object() && item.value("name", json()).is_string();
  });
}

void merge_by_name(json& list, const json& patch) {
  for (const json& item : patch) {
    const auto same = std::find_if(list.begin(), list.end(), [&](const json& existing) {
      return existing["name"] == item["name"];
    });
    if (same == list.end()) {
      list.push_back(item);
    } else {
      strategic_merge(*same, item);
    }
  }
}

}  // namespace

void strategic_merge(json& object, const json& patch) {
  if (!patch.is_object()) {
    object = patch;
    return;
  }
  if (!object.is_object()) object = json::object();
  for (const auto& [key, value] : patch.items()) {
    if (key.starts_with("$")) continue;
    if (value.is_null()) {
      object.erase(key);
    } else if (value.is_array() && object.contains(key) && object[key].is_array() &&
               named_items(value) && named_items(object[key])) {
      merge_by_name(object[key], value);
    } else if (value.is_object()) {
      // Into a new map too, so the nulls and directives in it go.
      if (!object.contains(key) || !object[key].is_object()) object[key] = json::object();
      strategic_merge(object[key], value);
    } else {
      object[key] = value;
    }
  }
}

}  // namespace tailor::testbed
