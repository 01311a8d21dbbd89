#pragma once

#include <nlohmann/json.hpp>

namespace tailor::testbed {

// A strategic-merge patch of a built-in kind, as far as the bed needs it: maps merge
// recursively and null deletes a key, as in a JSON merge patch; a list whose items in the
// object and in the patch are all maps with a "name" (containers, initContainers, volumes,
// env) merges item by item on that name, where the real server uses each field's patchMergeKey;
// any other list is replaced. Directives ($patch, $setElementOrder/..., $retainKeys) are
// ignored.
void strategic_merge(nlohmann::json& object, const nlohmann::json& patch);

}  // namespace tailor::testbed
