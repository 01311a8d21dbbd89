#include "common/k8s/client/watch_event_reader.h"

namespace tailor::common {
namespace {

// A single event larger than this is a broken stream, not an object.
constexpr size_t kMaxEventBytes = 64 << 20;

Result<WatchEvent> parse_event(std::string_view line) {
  auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error("the watch stream holds a line that is not JSON: " +
                      std::string(line.substr(0, 80)));
  const auto type = doc.find("type");
  const auto object = doc.find("object");
  if (type == doc.end() || !type->is_string() || object == doc.end() || !object->is_object())
    return make_error("the watch stream holds a line that is not an event: " +
                      std::string(line.substr(0, 80)));
  return WatchEvent{type->get<std::string>(), std::move(*object)};
}

}  // namespace

Result<std::vector<WatchEvent>> WatchEventReader::feed(std::string_view chunk) {
  pending_.append(chunk);
  std::vector<WatchEvent> events;
  size_t start = 0;
  for (size_t end; (end = pending_.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string_view line(pending_.data() + start, end - start);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto event = parse_event(line);
    if (!event) return event.error();
    events.push_back(std::move(*event));
  }
  pending_.erase(0, start);
  if (pending_.size() > kMaxEventBytes)
    return make_error("the watch stream sent more than 64 MiB without a line break");
  return events;
}

}  // namespace tailor::common
