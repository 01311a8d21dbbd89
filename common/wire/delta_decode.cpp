// decode_delta: the aggregator's hot path, one call per agent batch. It reads the document
// with simdjson's DOM instead of nlohmann::json (docs/decisions/0004-simdjson-for-deltas.md):
// nlohmann's character-at-a-time lexer and map-per-object tree cost 13 us per report, most of
// the aggregator's budget of 50 us for everything. Messages are JsonObjectReader's, so a
// field is named the same way in every format.
#include <simdjson.h>

#include <limits>
#include <set>
#include <tuple>
#include <type_traits>

#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/wire/delta.h"

namespace tailor::common {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Documents up to this size reuse their thread's parser; a bigger one gets a parser of its
// own, freed after. A parser keeps about 14 bytes per byte of the largest document it read
// (tape, structural indexes, strings): eight server threads each keeping buffers for a
// node's first batch (300 KB at 50 containers) held 30 MiB, for 8 MiB batches 900 MiB.
// Steady batches (25 KB at 50 containers) stay under it.
constexpr std::size_t kReusedParserBytes = 64 << 10;

// Nesting depth of arrays and objects, found without building anything, so a document of a
// million '[' is refused with its depth before the parser allocates for it.
std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::string exceeds(std::size_t size, std::string_view limit_name, std::size_t limit) {
  return std::to_string(size) + " exceeds the limit " + std::string(limit_name) + " (" +
         std::to_string(limit) + ")";
}

Error invalid(std::string_view problem) {
  return make_error("invalid delta: " + std::string(problem));
}

// Where a value sits, turned into "workloads[3].syscalls[1].count" only for a message: a
// batch of thousands of fields builds no path string unless one is wrong.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // a member's name; empty for an array element
  std::size_t index = 0;

  Path member(std::string_view name) const { return {this, name, 0}; }
  Path element(std::size_t i) const { return {this, {}, i}; }
  std::string str() const {
    std::string text = parent != nullptr ? parent->str() : std::string();
    if (!key.empty()) return text.empty() ? std::string(key) : text + "." + std::string(key);
    return parent != nullptr ? text + "[" + std::to_string(index) + "]" : text;
  }
};

// Reads one document against one set of limits. The first problem is kept with its path and
// later reads return empty values, so the decoder checks ok() once per entry, not per read.
class Decoder {
 public:
  explicit Decoder(const DeltaLimits& limits) : limits_(limits) {}

  bool ok() const { return !error_; }
  const std::string& error() const { return *error_; }

  void fail(const Path& at, std::string_view problem) {
    if (ok()) {
      const std::string path = at.str();
      error_ = path.empty() ? std::string(problem) : path + ": " + std::string(problem);
    }
  }

  // The member `key` of `in`; absent or null is "missing" when required.
  std::optional<element> field(object in, const Path& at, bool required) {
    if (!ok()) return std::nullopt;
    element value;
    if (in.at_key(at.key).get(value) != simdjson::SUCCESS || value.is_null()) {
      if (required) fail(at, "missing");
      return std::nullopt;
    }
    return value;
  }

  // A string of at most `limit` bytes, max_string_bytes unless given.
  std::optional<std::string_view> text(element value, const Path& at,
                                       std::string_view limit_name = "max_string_bytes",
                                       std::optional<std::size_t> limit = std::nullopt) {
    const std::size_t max = limit.value_or(limits_.max_string_bytes);
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      fail(at, "expected a string");
      return std::nullopt;
    }
    if (text.size() > max) fail(at, "length " + exceeds(text.size(), limit_name, max));
    return text;
  }

  std::optional<std::string_view> string(object in, const Path& at, bool required = true) {
    const auto value = field(in, at, required);
    return value ? text(*value, at) : std::nullopt;
  }

  // A string that must be non-empty.
  std::optional<std::string_view> name_text(element value, const Path& at) {
    const auto name = text(value, at);
    if (name && name->empty()) fail(at, "must not be empty");
    return ok() ? name : std::nullopt;
  }

  std::string name(object in, const Path& at) {
    const auto value = field(in, at, true);
    const auto name = value ? name_text(*value, at) : std::nullopt;
    return name ? std::string(*name) : std::string();
  }

  // A required string naming an enum value, read by `parse`; `out` is kept after an error.
  template <typename Enum>
  void enum_field(object in, const Path& at, Result<Enum> (*parse)(std::string_view), Enum& out) {
    const auto name = string(in, at);
    if (!name) return;
    auto parsed = parse(*name);
    if (parsed.ok())
      out = *parsed;
    else
      fail(at, parsed.error().message);
  }

  template <typename T>
  T unsigned_value(element value, const Path& at) {
    constexpr uint64_t max = std::numeric_limits<T>::max();
    uint64_t number = 0;
    const bool fits =
        (value.type() == element_type::UINT64 || value.type() == element_type::INT64) &&
        value.get_uint64().get(number) == simdjson::SUCCESS && number <= max;
    if (!fits) fail(at, "expected an integer from 0 to " + std::to_string(max));
    return ok() ? static_cast<T>(number) : T{};
  }

  template <typename T>
  std::optional<T> unsigned_field(object in, const Path& at, bool required = true) {
    const auto value = field(in, at, required);
    if (!value) return std::nullopt;
    return unsigned_value<T>(*value, at);
  }

  // A required signed 64-bit integer.
  std::optional<int64_t> signed_field(object in, const Path& at) {
    const auto value = field(in, at, true);
    if (!value) return std::nullopt;
    int64_t number = 0;
    if (value->type() != element_type::INT64 || value->get_int64().get(number)) {
      fail(at, "expected an integer from " + std::to_string(std::numeric_limits<int64_t>::min()) +
                   " to " + std::to_string(std::numeric_limits<int64_t>::max()));
      return std::nullopt;
    }
    return number;
  }

  int64_t unix_ms(object in, const Path& at) {
    const auto number = signed_field(in, at);
    if (number && *number < 0) fail(at, "must not be negative");
    return ok() ? number.value_or(0) : 0;
  }

  std::optional<object> object_field(object in, const Path& at, bool required = true) {
    const auto value = field(in, at, required);
    return value ? element_object(*value, at) : std::nullopt;
  }

  // The array at `at`, or nullopt after recording why it is missing or too long.
  std::optional<array> array_field(object in, const Path& at, std::string_view limit_name,
                                   std::size_t limit, bool required = true) {
    const auto value = field(in, at, required);
    if (!value) return std::nullopt;
    array nested;
    if (value->get_array().get(nested) != simdjson::SUCCESS) {
      fail(at, "expected an array");
      return std::nullopt;
    }
    if (nested.size() > limit) {
      fail(at, "length " + exceeds(nested.size(), limit_name, limit));
      return std::nullopt;
    }
    return nested;
  }

  // An array element that must be an object.
  std::optional<object> element_object(element value, const Path& at) {
    object nested;
    if (value.get_object().get(nested) != simdjson::SUCCESS) {
      fail(at, "expected an object");
      return std::nullopt;
    }
    return nested;
  }

  // Decodes each object of `items` into `out`; one whose key_of an earlier one has too is an
  // error at its `key_member`, worded by `duplicate`.
  template <typename T, typename Decode, typename KeyOf, typename Duplicate>
  void distinct_objects(array items, const Path& at, std::string_view key_member,
                        std::vector<T>& out, Decode decode, KeyOf key_of, Duplicate duplicate) {
    std::set<std::invoke_result_t<KeyOf, const T&>> seen;
    std::size_t i = 0;
    for (element value : items) {
      const Path entry_at = at.element(i++);
      const auto entry_object = element_object(value, entry_at);
      if (!entry_object) break;
      const T& entry = out.emplace_back(decode(*entry_object, entry_at));
      if (!ok()) break;
      if (!seen.insert(key_of(entry)).second) {
        fail(entry_at.member(key_member), duplicate(entry));
        break;
      }
    }
  }

  RecordedArg arg(object in, const Path& at) {
    RecordedArg recorded;
    recorded.index = unsigned_field<uint32_t>(in, at.member("index")).value_or(0);
    if (ok() && recorded.index > 5) fail(at.member("index"), "must be 0 to 5");
    if (const auto complete = field(in, at.member("complete"), true)) {
      if (complete->get_bool().get(recorded.complete) != simdjson::SUCCESS)
        fail(at.member("complete"), "expected true or false");
    }
    const Path values_at = at.member("values");
    const auto values =
        array_field(in, values_at, "max_values_per_arg", limits_.max_values_per_arg);
    if (!values) return recorded;
    std::size_t i = 0;
    for (element entry : *values) {
      const Path entry_at = values_at.element(i++);
      const auto pair = element_object(entry, entry_at);
      if (!pair) break;
      const auto value = unsigned_field<uint64_t>(*pair, entry_at.member("value"));
      const auto count = unsigned_field<uint64_t>(*pair, entry_at.member("count"));
      if (!ok()) break;
      if (!recorded.values.emplace(*value, *count).second)
        fail(entry_at.member("value"), "duplicate value " + std::to_string(*value));
    }
    return recorded;
  }

  // arch, nr and name of a syscall or a denial. The number is the identity: a name is checked
  // against it, or filled in from it.
  template <typename Entry>
  void syscall_identity(object in, const Path& at, Entry& entry) {
    const auto arch = string(in, at.member("arch"));
    if (ok() && !is_known_arch(*arch)) {
      fail(at.member("arch"), "unknown architecture \"" + std::string(*arch) + "\"");
    }
    if (ok()) entry.arch = std::string(*arch);
    entry.nr = unsigned_field<uint32_t>(in, at.member("nr")).value_or(0);
    if (ok() && entry.nr > kMaxSyscallNr) {
      fail(at.member("nr"), "must be 0 to " + std::to_string(kMaxSyscallNr));
    }
    if (const auto name = string(in, at.member("name"), false)) entry.name = std::string(*name);
    if (ok()) {
      const auto known = syscall_name(entry.arch, entry.nr);
      const bool unnamed = entry.name.empty();
      const std::string claimed = unnamed && known.ok() && *known ? **known : entry.name;
      if (const auto checked = check_syscall_name(entry.arch, entry.nr, claimed); !checked)
        fail(at.member(unnamed ? "nr" : "name"), checked.error().message);
      else
        entry.name = claimed;
    }
  }

  DeltaSyscall syscall(object in, const Path& at) {
    DeltaSyscall entry;
    syscall_identity(in, at, entry);
    enum_field(in, at.member("phase"), parse_phase, entry.phase);
    entry.count = unsigned_field<uint64_t>(in, at.member("count")).value_or(0);
    entry.first_seen_unix_ms = unix_ms(in, at.member("first_seen_unix_ms"));
    entry.pods = unsigned_field<uint32_t>(in, at.member("pods"), false).value_or(0);
    if (const auto arg_value = object_field(in, at.member("arg"), false)) {
      entry.arg = arg(*arg_value, at.member("arg"));
    }
    return entry;
  }

  DeltaDenial denial(object in, const Path& at) {
    DeltaDenial entry;
    syscall_identity(in, at, entry);
    enum_field(in, at.member("action"), parse_denial_action, entry.action);
    entry.count = unsigned_field<uint64_t>(in, at.member("count")).value_or(0);
    entry.first_seen_unix_ms = unix_ms(in, at.member("first_seen_unix_ms"));
    if (const auto pod = string(in, at.member("first_pod"), false)) entry.first_pod = *pod;
    if (const auto comm = string(in, at.member("first_comm"), false)) entry.first_comm = *comm;
    return entry;
  }

  DeltaEnforcement enforcement(object in, const Path& at) {
    DeltaEnforcement entry;
    // A path, not a name: held to its own bound rather than max_string_bytes.
    const Path profile_at = at.member("localhost_profile");
    if (const auto value = field(in, profile_at, false)) {
      const auto profile =
          text(*value, profile_at, "max_profile_path_bytes", limits_.max_profile_path_bytes);
      if (ok()) entry.localhost_profile = *profile;
    }
    if (const auto type = string(in, at.member("profile_type"), false)) entry.profile_type = *type;
    entry.pods = unsigned_field<uint32_t>(in, at.member("pods")).value_or(0);
    entry.pods_filtered = unsigned_field<uint32_t>(in, at.member("pods_filtered")).value_or(0);
    if (ok() && entry.pods_filtered > entry.pods)
      fail(at.member("pods_filtered"), "must not exceed pods (" + std::to_string(entry.pods) + ")");
    return entry;
  }

  WorkloadKey key(object in, const Path& at) {
    WorkloadKey key;
    key.namespace_name = name(in, at.member("namespace"));
    key.kind = name(in, at.member("kind"));
    key.name = name(in, at.member("name"));
    key.container = name(in, at.member("container"));
    return key;
  }

  WorkloadDelta workload(object in, const Path& at) {
    WorkloadDelta workload;
    if (const auto key_value = object_field(in, at.member("key"))) {
      workload.key = key(*key_value, at.member("key"));
    }
    const Path pods_at = at.member("pods");
    if (const auto pods =
            array_field(in, pods_at, "max_pods_per_workload", limits_.max_pods_per_workload)) {
      std::set<std::string_view> seen;
      std::size_t i = 0;
      for (element value : *pods) {
        const Path uid_at = pods_at.element(i++);
        const auto uid = name_text(value, uid_at);
        if (!uid) break;
        if (!seen.insert(*uid).second) {
          fail(uid_at, "duplicate pod uid \"" + std::string(*uid) + "\"");
          break;
        }
        workload.pods.emplace_back(*uid);
      }
    }
    const Path syscalls_at = at.member("syscalls");
    if (const auto syscalls = array_field(in, syscalls_at, "max_syscalls_per_workload",
                                          limits_.max_syscalls_per_workload)) {
      workload.syscalls.reserve(syscalls->size());
      distinct_objects(
          *syscalls, syscalls_at, "nr", workload.syscalls,
          [&](object in, const Path& entry_at) { return syscall(in, entry_at); },
          [](const DeltaSyscall& entry) { return entry.id(); },
          [](const DeltaSyscall& entry) {
            return "duplicate entry for " + entry.arch + " " + std::to_string(entry.nr) + " " +
                   std::string(phase_name(entry.phase));
          });
    }
    const Path denied_at = at.member("denied");
    if (const auto denied = array_field(in, denied_at, "max_denied_per_workload",
                                        limits_.max_denied_per_workload, false)) {
      workload.denied.reserve(denied->size());
      distinct_objects(
          *denied, denied_at, "action", workload.denied,
          [&](object in, const Path& entry_at) { return denial(in, entry_at); },
          [](const DeltaDenial& entry) {
            return std::make_tuple(entry.arch, entry.nr, entry.action);
          },
          [](const DeltaDenial& entry) {
            return "duplicate denial " + entry.arch + " " + std::to_string(entry.nr) + " " +
                   std::string(denial_action_name(entry.action));
          });
    }
    if (const auto enforcement_value = object_field(in, at.member("enforcement"), false)) {
      workload.enforcement = enforcement(*enforcement_value, at.member("enforcement"));
    }
    return workload;
  }

  Delta delta(object root) {
    const Path at;
    Delta delta;
    delta.node = name(root, at.member("node"));
    if (const auto agent = object_field(root, at.member("agent"))) {
      delta.agent.id = name(*agent, at.member("agent").member("id"));
      delta.agent.started_unix_ms = unix_ms(*agent, at.member("agent").member("started_unix_ms"));
    }
    delta.seq = unsigned_field<uint64_t>(root, at.member("seq")).value_or(0);
    const Path workloads_at = at.member("workloads");
    const auto workloads = array_field(root, workloads_at, "max_workloads", limits_.max_workloads);
    if (!workloads) return delta;
    distinct_objects(
        *workloads, workloads_at, "key", delta.workloads,
        [&](object in, const Path& entry_at) { return workload(in, entry_at); },
        [](const WorkloadDelta& entry) { return entry.key; },
        [](const WorkloadDelta& entry) { return "duplicate workload " + describe(entry.key); });
    return delta;
  }

 private:
  const DeltaLimits& limits_;
  std::optional<std::string> error_;
};

std::string parse_problem(simdjson::error_code error) {
  // A number beyond a double ("1e400") or a malformed one.
  if (error == simdjson::NUMBER_ERROR) return "not valid JSON: a number is too large or malformed";
  return std::string("not valid JSON: ") + simdjson::error_message(error);
}

Result<Delta> decode_parsed(element document, const DeltaLimits& limits) {
  object root;
  if (document.get_object().get(root) != simdjson::SUCCESS) return invalid("expected an object");
  Decoder decoder(limits);
  const Path at;
  // Format and version first: a newer document may differ in every other field.
  // Not held to max_string_bytes: whatever its length, the answer is "not a delta".
  std::string_view format;
  if (const auto value = decoder.field(root, at.member("format"), true)) {
    if (value->get_string().get(format) != simdjson::SUCCESS)
      decoder.fail(at.member("format"), "expected a string");
  }
  if (!decoder.ok()) return invalid(decoder.error());
  if (format != Delta::kFormatName) {
    return make_error("not a tailor delta: format is \"" + std::string(format.substr(0, 64)) +
                      "\", expected \"" + Delta::kFormatName + "\"");
  }
  const auto version = decoder.signed_field(root, at.member("version"));
  if (!version) return invalid(decoder.error());
  if (*version > Delta::kFormatVersion) {
    return make_error(
        "delta version " + std::to_string(*version) + " is newer than this tailor understands (" +
        std::to_string(Delta::kFormatVersion) + "); upgrade the aggregator before the agents");
  }
  if (*version < 1) {
    return invalid("version " + std::to_string(*version) + " does not exist; versions start at 1");
  }
  Delta delta = decoder.delta(root);
  if (!decoder.ok()) return invalid(decoder.error());
  return delta;
}

}  // namespace

Result<Delta> decode_delta(std::string_view json_text, const DeltaLimits& limits) {
  if (json_text.size() > limits.max_document_bytes) {
    return invalid("size " +
                   exceeds(json_text.size(), "max_document_bytes", limits.max_document_bytes));
  }
  if (const auto depth = nesting_depth(json_text); depth > limits.max_depth) {
    return invalid("nesting depth " + exceeds(depth, "max_depth", limits.max_depth));
  }
  thread_local simdjson::dom::parser reused;
  std::optional<simdjson::dom::parser> own;
  simdjson::dom::parser& parser = json_text.size() <= kReusedParserBytes ? reused : own.emplace();
  element document;
  if (const auto error = parser.parse(json_text.data(), json_text.size()).get(document)) {
    return invalid(parse_problem(error));
  }
  return decode_parsed(document, limits);
}

}  // namespace tailor::common
