#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace tailor::common {

// One event of a watch: ADDED, MODIFIED, DELETED, BOOKMARK (object holds
// only metadata.resourceVersion) or ERROR (object is a Status, 410 Expired
// when the resourceVersion is too old).
struct WatchEvent {
  std::string type;
  nlohmann::json object;
};

// Splits the body of a watch, which arrives in arbitrary chunks, into its
// newline-delimited JSON events. A line that is not an event is an error:
// after it the stream can no longer be trusted.
class WatchEventReader {
 public:
  Result<std::vector<WatchEvent>> feed(std::string_view chunk);

 private:
  std::string pending_;
};

}  // namespace tailor::common
