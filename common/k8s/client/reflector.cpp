#include "common/k8s/client/reflector.h"

#include "common/util/log.h"

namespace tailor::common {
namespace {

using nlohmann::json;

std::string resource_version_of(const json& object) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  const auto rv = metadata->find("resourceVersion");
  return rv != metadata->end() && rv->is_string() ? rv->get<std::string>() : "";
}

int status_code_of(const json& status) {
  const auto code = status.find("code");
  return code != status.end() && code->is_number_integer() ? code->get<int>() : 0;
}

}  // namespace

Reflector::Reflector(KubeClient& client, ReflectorOptions options, ReflectorHandlers handlers)
    : client_(client),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      rng_(options_.seed),
      backoff_(options_.backoff_initial, options_.backoff_max, options_.seed) {
  if (!options_.log) {
    options_.log = [](const std::string& message) { log_line("error", message); };
  }
}

Reflector::~Reflector() { stop(); }

void Reflector::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  cancellation_.reset();
  thread_ = std::thread([this] { run(); });
}

void Reflector::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  cancellation_.cancel();
  if (thread_.joinable()) thread_.join();
}

bool Reflector::wait_synced(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

ReflectorCounters Reflector::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

std::string Reflector::resource_version() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

void Reflector::run() {
  while (!stopping_) {
    if (!list()) {
      back_off();
      continue;
    }
    while (!stopping_ && watch()) {
    }
  }
}

bool Reflector::list() {
  auto answer = client_.list(options_.collection_path, options_.selectors, &cancellation_);
  if (stopping_) return false;
  const bool has_items = answer && answer->contains("items") && (*answer)["items"].is_array();
  if (!has_items) {
    {
      std::lock_guard lock(mu_);
      ++counters_.list_errors;
    }
    options_.log(answer ? "list " + options_.collection_path + ": the answer has no items"
                        : answer.error().message);
    return false;
  }
  std::vector<json> objects;
  for (auto& item : (*answer)["items"]) {
    if (item.is_object()) objects.push_back(std::move(item));
  }
  handlers_.replace(objects);
  {
    std::lock_guard lock(mu_);
    if (counters_.lists > 0) ++counters_.relists;
    ++counters_.lists;
    resource_version_ = resource_version_of(*answer);
    synced_ = true;
  }
  cv_.notify_all();
  return true;
}

bool Reflector::watch() {
  WatchOptions watch;
  watch.resource_version = resource_version();
  watch.allow_bookmarks = true;
  watch.timeout_seconds = static_cast<int>(options_.watch_timeout_seconds *
                                           std::uniform_real_distribution<double>(1.0, 2.0)(rng_));
  watch.selectors = options_.selectors;
  watch.idle_timeout = options_.idle_timeout;

  bool expired = false;
  std::string error_event;
  auto answer = client_.watch(
      options_.collection_path, watch,
      [&](const WatchEvent& event) {
        if (event.type == "ERROR") {
          if (status_code_of(event.object) == 410) {
            expired = true;
          } else {
            const auto message = event.object.find("message");
            error_event = message != event.object.end() && message->is_string()
                              ? message->get<std::string>()
                              : event.object.dump();
          }
          return false;
        }
        const std::string rv = resource_version_of(event.object);
        if (event.type != "BOOKMARK") handlers_.event(event);
        if (!rv.empty()) {
          std::lock_guard lock(mu_);
          resource_version_ = rv;
        }
        return true;
      },
      &cancellation_);
  if (stopping_) return false;
  if (expired) return false;  // history compacted: list again at once, as client-go does
  if (answer && error_event.empty()) {
    backoff_.reset();
    return true;  // the server ended the watch on time: resume from the last version
  }
  {
    std::lock_guard lock(mu_);
    ++counters_.watch_errors;
  }
  options_.log(error_event.empty() ? answer.error().message
                                   : "watch " + options_.collection_path + ": " + error_event);
  back_off();
  return false;
}

void Reflector::back_off() {
  if (stopping_) return;
  const auto wait = backoff_.next();
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [this] { return stopping_.load(); });
}

}  // namespace tailor::common
