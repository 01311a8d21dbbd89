#include "common/wire/delta.h"

#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "common/syscalls/arch.h"
#include "common/util/json_reader.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json encode_syscall(const DeltaSyscall& entry) {
  ordered_json out = {{"arch", entry.arch}, {"nr", entry.nr}};
  if (!entry.name.empty()) out["name"] = entry.name;
  out["phase"] = phase_name(entry.phase);
  out["count"] = entry.count;
  out["first_seen_unix_ms"] = entry.first_seen_unix_ms;
  if (entry.pods > 0) out["pods"] = entry.pods;
  if (entry.arg) {
    ordered_json values = ordered_json::array();
    for (const auto& [value, calls] : entry.arg->values) {
      values.push_back({{"value", value}, {"count", calls}});
    }
    out["arg"] = {{"index", entry.arg->index},
                  {"values", std::move(values)},
                  {"complete", entry.arg->complete}};
  }
  return out;
}

ordered_json encode_workload(const WorkloadDelta& workload) {
  ordered_json syscalls = ordered_json::array();
  for (const auto& entry : workload.syscalls) syscalls.push_back(encode_syscall(entry));
  return {{"key",
           {{"namespace", workload.key.namespace_name},
            {"kind", workload.key.kind},
            {"name", workload.key.name},
            {"container", workload.key.container}}},
          {"pods", workload.pods},
          {"syscalls", std::move(syscalls)}};
}

// Nesting depth of arrays and objects, found without building anything, so a document of a
// million '[' is refused before the parser allocates a value per bracket.
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

// Decoding of one document against one set of limits.
class Decoder {
 public:
  explicit Decoder(const DeltaLimits& limits) : limits_(limits) {}

  // A string field that must be non-empty and no longer than max_string_bytes.
  std::string name(JsonObjectReader& reader, std::string_view key) {
    std::string value = reader.required<std::string>(key);
    if (!reader.ok()) return value;
    if (value.empty()) reader.fail(key, "must not be empty");
    check_length(reader, key, value);
    return value;
  }

  void check_length(JsonObjectReader& reader, std::string_view key, const std::string& value) {
    if (value.size() > limits_.max_string_bytes) {
      reader.fail(key,
                  "length " + exceeds(value.size(), "max_string_bytes", limits_.max_string_bytes));
    }
  }

  // The array at `key`, or nullptr after recording why it is missing or too long.
  const json* array(JsonObjectReader& reader, std::string_view key, std::string_view limit_name,
                    std::size_t limit) {
    const json* value = reader.required_array(key);
    if (value != nullptr && value->size() > limit) {
      reader.fail(key, "length " + exceeds(value->size(), limit_name, limit));
      return nullptr;
    }
    return value;
  }

  int64_t unix_ms(JsonObjectReader& reader, std::string_view key) {
    const auto value = reader.required<int64_t>(key);
    if (reader.ok() && value < 0) reader.fail(key, "must not be negative");
    return value;
  }

  AgentIdentity agent(JsonObjectReader& reader) {
    AgentIdentity agent;
    agent.id = name(reader, "id");
    agent.started_unix_ms = unix_ms(reader, "started_unix_ms");
    return agent;
  }

  WorkloadKey key(JsonObjectReader& reader) {
    WorkloadKey key;
    key.namespace_name = name(reader, "namespace");
    key.kind = name(reader, "kind");
    key.name = name(reader, "name");
    key.container = name(reader, "container");
    return key;
  }

  RecordedArg arg(JsonObjectReader& reader) {
    RecordedArg recorded;
    recorded.index = reader.required<uint32_t>("index");
    if (reader.ok() && recorded.index > 5) reader.fail("index", "must be 0 to 5");
    recorded.complete = reader.required<bool>("complete");
    if (const json* values =
            array(reader, "values", "max_values_per_arg", limits_.max_values_per_arg)) {
      for (std::size_t i = 0; i < values->size() && reader.ok(); ++i) {
        JsonObjectReader value_reader((*values)[i],
                                      JsonObjectReader::element_path(reader.path_of("values"), i));
        const auto value = value_reader.required<uint64_t>("value");
        const auto count = value_reader.required<uint64_t>("count");
        if (value_reader.ok() && !recorded.values.emplace(value, count).second) {
          value_reader.fail("value", "duplicate value " + std::to_string(value));
        }
        reader.absorb(value_reader);
      }
    }
    return recorded;
  }

  DeltaSyscall syscall(JsonObjectReader& reader) {
    DeltaSyscall entry;
    entry.arch = reader.required<std::string>("arch");
    check_length(reader, "arch", entry.arch);
    if (reader.ok() && !is_known_arch(entry.arch)) {
      reader.fail("arch", "unknown architecture \"" + entry.arch + "\"");
    }
    entry.nr = reader.required<uint32_t>("nr");
    if (reader.ok() && entry.nr > kMaxSyscallNr) {
      reader.fail("nr", "must be 0 to " + std::to_string(kMaxSyscallNr));
    }
    entry.name = reader.optional<std::string>("name").value_or("");
    check_length(reader, "name", entry.name);
    const auto phase = reader.required<std::string>("phase");
    if (reader.ok()) {
      auto parsed = parse_phase(phase);
      if (parsed.ok())
        entry.phase = *parsed;
      else
        reader.fail("phase", parsed.error().message);
    }
    entry.count = reader.required<uint64_t>("count");
    entry.first_seen_unix_ms = unix_ms(reader, "first_seen_unix_ms");
    entry.pods = reader.optional<uint32_t>("pods").value_or(0);
    if (const json* arg_value = reader.optional_object("arg")) {
      JsonObjectReader arg_reader(*arg_value, reader.path_of("arg"));
      entry.arg = arg(arg_reader);
      reader.absorb(arg_reader);
    }
    return entry;
  }

  WorkloadDelta workload(JsonObjectReader& reader) {
    WorkloadDelta workload;
    if (const json* key_value = reader.required_object("key")) {
      JsonObjectReader key_reader(*key_value, reader.path_of("key"));
      workload.key = key(key_reader);
      reader.absorb(key_reader);
    }
    if (array(reader, "pods", "max_pods_per_workload", limits_.max_pods_per_workload)) {
      workload.pods = reader.required<std::vector<std::string>>("pods");
      std::set<std::string> seen;
      for (std::size_t i = 0; i < workload.pods.size() && reader.ok(); ++i) {
        const std::string& uid = workload.pods[i];
        const std::string key = JsonObjectReader::element_path("pods", i);
        if (uid.empty()) reader.fail(key, "must not be empty");
        check_length(reader, key, uid);
        if (!seen.insert(uid).second) reader.fail(key, "duplicate pod uid \"" + uid + "\"");
      }
    }
    if (const json* syscalls = array(reader, "syscalls", "max_syscalls_per_workload",
                                     limits_.max_syscalls_per_workload)) {
      std::set<std::tuple<std::string, uint32_t, Phase>> seen;
      for (std::size_t i = 0; i < syscalls->size() && reader.ok(); ++i) {
        JsonObjectReader entry_reader(
            (*syscalls)[i], JsonObjectReader::element_path(reader.path_of("syscalls"), i));
        DeltaSyscall entry = syscall(entry_reader);
        if (entry_reader.ok() && !seen.emplace(entry.arch, entry.nr, entry.phase).second) {
          entry_reader.fail("nr", "duplicate entry for " + entry.arch + " " +
                                      std::to_string(entry.nr) + " " +
                                      std::string(phase_name(entry.phase)));
        }
        reader.absorb(entry_reader);
        workload.syscalls.push_back(std::move(entry));
      }
    }
    return workload;
  }

  Delta delta(JsonObjectReader& root) {
    Delta delta;
    delta.node = name(root, "node");
    if (const json* agent_value = root.required_object("agent")) {
      JsonObjectReader agent_reader(*agent_value, "agent");
      delta.agent = agent(agent_reader);
      root.absorb(agent_reader);
    }
    delta.seq = root.required<uint64_t>("seq");
    if (const json* workloads = array(root, "workloads", "max_workloads", limits_.max_workloads)) {
      std::set<WorkloadKey> seen;
      for (std::size_t i = 0; i < workloads->size() && root.ok(); ++i) {
        JsonObjectReader reader((*workloads)[i], JsonObjectReader::element_path("workloads", i));
        WorkloadDelta workload_delta = workload(reader);
        if (reader.ok() && !seen.insert(workload_delta.key).second) {
          reader.fail("key", "duplicate workload " + describe(workload_delta.key));
        }
        root.absorb(reader);
        delta.workloads.push_back(std::move(workload_delta));
      }
    }
    return delta;
  }

 private:
  const DeltaLimits& limits_;
};

Error invalid(std::string_view problem) {
  return make_error("invalid delta: " + std::string(problem));
}

}  // namespace

std::string encode_delta(const Delta& delta) {
  ordered_json workloads = ordered_json::array();
  for (const auto& workload : delta.workloads) workloads.push_back(encode_workload(workload));
  const ordered_json document = {
      {"format", Delta::kFormatName},
      {"version", Delta::kFormatVersion},
      {"node", delta.node},
      {"agent", {{"id", delta.agent.id}, {"started_unix_ms", delta.agent.started_unix_ms}}},
      {"seq", delta.seq},
      {"workloads", std::move(workloads)},
  };
  return document.dump();
}

Result<Delta> decode_delta(std::string_view json_text, const DeltaLimits& limits) {
  if (json_text.size() > limits.max_document_bytes) {
    return invalid("size " +
                   exceeds(json_text.size(), "max_document_bytes", limits.max_document_bytes));
  }
  if (const auto depth = nesting_depth(json_text); depth > limits.max_depth) {
    return invalid("nesting depth " + exceeds(depth, "max_depth", limits.max_depth));
  }
  auto document = parse_json(json_text);
  if (!document.ok()) return invalid(document.error().message);
  JsonObjectReader root(*document, "");

  // Format and version first: a newer document may differ in every other field.
  const auto format = root.required<std::string>("format");
  if (!root.ok()) return invalid(root.error().message);
  if (format != Delta::kFormatName) {
    return make_error("not a tailor delta: format is \"" + format.substr(0, 64) +
                      "\", expected \"" + Delta::kFormatName + "\"");
  }
  const auto version = root.required<int64_t>("version");
  if (!root.ok()) return invalid(root.error().message);
  if (version > Delta::kFormatVersion) {
    return make_error(
        "delta version " + std::to_string(version) + " is newer than this tailor understands (" +
        std::to_string(Delta::kFormatVersion) + "); upgrade the aggregator before the agents");
  }
  if (version < 1) {
    return invalid("version " + std::to_string(version) + " does not exist; versions start at 1");
  }

  Decoder decoder(limits);
  Delta delta = decoder.delta(root);
  if (!root.ok()) return invalid(root.error().message);
  return delta;
}

}  // namespace tailor::common
