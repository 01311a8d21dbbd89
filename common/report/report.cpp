#include "common/report/report.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "common/model/syscall_json.h"
#include "common/report/recorder_stats.h"
#include "common/syscalls/arch.h"
#include "common/syscalls/names.h"
#include "common/util/file.h"
#include "common/util/json_reader.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json encode_recording(const RecordingInfo& info) {
  ordered_json out = {{"target_kind", info.target_kind}, {"target", info.target}};
  if (!info.argv.empty()) out["argv"] = info.argv;
  out["cgroup_path"] = info.cgroup_path;
  out["hostname"] = info.hostname;
  out["kernel"] = info.kernel;
  out["native_arch"] = info.native_arch;
  out["started_unix_ms"] = info.started_unix_ms;
  out["duration_ms"] = info.duration_ms;
  if (info.exit_status) out["exit_status"] = *info.exit_status;
  out["tailor_version"] = info.tailor_version;
  return out;
}

ordered_json encode_syscall(const SyscallEntry& entry) {
  ordered_json out = syscall_json(entry.id(), entry.name);
  out["count"] = entry.count;
  out["first_seen_ns"] = entry.first_seen_ns;
  if (entry.first_caller) out["first_caller"] = encode_first_caller(*entry.first_caller);
  if (entry.arg) out["arg"] = arg_json(*entry.arg);
  return out;
}

// An architecture field must name one this libseccomp knows: names and profiles need it.
std::string read_arch(JsonObjectReader& reader, std::string_view key) {
  std::string arch = reader.required<std::string>(key);
  if (reader.ok()) {
    if (auto value = seccomp_arch_value(arch); !value.ok()) reader.fail(key, value.error().message);
  }
  return arch;
}

RecordingInfo decode_recording(JsonObjectReader& reader) {
  RecordingInfo info;
  info.target_kind = reader.required<std::string>("target_kind");
  info.target = reader.required<std::string>("target");
  info.argv =
      reader.optional<std::vector<std::string>>("argv").value_or(std::vector<std::string>{});
  info.cgroup_path = reader.required<std::string>("cgroup_path");
  info.hostname = reader.required<std::string>("hostname");
  info.kernel = reader.required<std::string>("kernel");
  info.native_arch = read_arch(reader, "native_arch");
  info.started_unix_ms = reader.required<int64_t>("started_unix_ms");
  info.duration_ms = reader.required<uint64_t>("duration_ms");
  info.exit_status = reader.optional<int>("exit_status");
  info.tailor_version = reader.required<std::string>("tailor_version");
  return info;
}

SyscallEntry decode_syscall(JsonObjectReader& reader) {
  SyscallEntry entry;
  entry.arch = read_arch(reader, "arch");
  entry.nr = reader.required<uint32_t>("nr");
  entry.name = reader.optional<std::string>("name").value_or("");
  if (reader.ok() && !entry.name.empty())
    if (const auto checked = check_syscall_name(entry.arch, entry.nr, entry.name); !checked)
      reader.fail("name", checked.error().message);
  entry.phase = reader.optional_enum("phase", parse_phase).value_or(Phase::workload);
  entry.count = reader.required<uint64_t>("count");
  entry.first_seen_ns = reader.required<uint64_t>("first_seen_ns");
  entry.first_caller = read_first_caller(reader);
  if (const json* arg = reader.optional_object("arg")) {
    JsonObjectReader arg_reader(*arg, reader.path_of("arg"));
    RecordedArg recorded;
    recorded.index = arg_reader.required<uint32_t>("index");
    if (recorded.index > 5) arg_reader.fail("index", "must be 0 to 5");
    recorded.complete = arg_reader.required<bool>("complete");
    arg_reader.required_elements("values", [&](JsonObjectReader& value_reader) {
      const auto value = value_reader.required<uint64_t>("value");
      recorded.values[value] = value_reader.required<uint64_t>("count");
    });
    reader.absorb(arg_reader);
    entry.arg = std::move(recorded);
  }
  return entry;
}

Error invalid(const Error& error) { return make_error("invalid report: " + error.message); }

}  // namespace

std::string encode_report(const Report& report) {
  ordered_json syscalls = ordered_json::array();
  for (const auto& entry : report.syscalls) syscalls.push_back(encode_syscall(entry));
  ordered_json document = {
      {"format", Report::kFormatName},
      {"version", Report::kFormatVersion},
      {"recording", encode_recording(report.info)},
  };
  // Before the syscalls: a reader looking at an enforced workload wants these first.
  if (report.denied) document["denied"] = encode_denials(*report.denied);
  document["syscalls"] = std::move(syscalls);
  document["recorder_stats"] = report.recorder_stats;
  return document.dump(2);
}

Result<Report> decode_report(const std::string& json_text) {
  const auto document = parse_json(json_text);
  if (!document.ok()) return invalid(document.error());
  JsonObjectReader root(*document, "");

  // Format and version come first: a newer or foreign document may differ in every other field.
  const auto format = root.required<std::string>("format");
  if (!root.ok()) return invalid(root.error());
  if (format != Report::kFormatName) {
    return make_error("not a tailor report: format is \"" + format + "\", expected \"" +
                      Report::kFormatName + "\"");
  }
  const auto version = root.required<int64_t>("version");
  if (!root.ok()) return invalid(root.error());
  if (version > Report::kFormatVersion) {
    return make_error("report version " + std::to_string(version) +
                      " is newer than this tailor understands (" +
                      std::to_string(Report::kFormatVersion) + "); upgrade tailor");
  }
  if (version < 1) {
    return make_error("invalid report: version " + std::to_string(version) +
                      " does not exist; versions start at 1");
  }

  Report report;
  if (const json* recording = root.required_object("recording")) {
    JsonObjectReader reader(*recording, "recording");
    report.info = decode_recording(reader);
    root.absorb(reader);
  }
  root.required_elements("syscalls", [&](JsonObjectReader& reader) {
    report.syscalls.push_back(decode_syscall(reader));
  });
  if (const json* denied = root.optional_object("denied")) {
    JsonObjectReader reader(*denied, "denied");
    report.denied = decode_denials(reader);
    root.absorb(reader);
  }
  if (const json* stats = root.required_object("recorder_stats")) {
    JsonObjectReader reader(*stats, "recorder_stats");
    for (const auto& [name, value] : stats->items()) {
      report.recorder_stats[name] = reader.required<uint64_t>(name);
    }
    root.absorb(reader);
  }
  if (!root.ok()) return invalid(root.error());
  return report;
}

std::map<std::string, uint64_t> recorder_faults(const Report& report) {
  std::map<std::string, uint64_t> faults;
  for (const auto& [name, value] : report.recorder_stats) {
    // One this tailor does not know is warned about rather than hidden.
    const auto stat = recorder_stat(name);
    if ((!stat || stat->is_fault()) && value != 0) faults.emplace(name, value);
  }
  return faults;
}

std::string fault_effect(std::string_view name) {
  const auto stat = recorder_stat(name);
  return stat && stat->is_fault() ? std::string(stat->lost)
                                  : "data this tailor does not know the meaning of";
}

std::string command_line(const RecordingInfo& info) {
  return info.argv.empty() ? info.target : shell_quote(info.argv);
}

std::vector<uint64_t> distinct_first_seen_ns(const Report& report) {
  std::map<std::pair<std::string_view, uint32_t>, uint64_t> first;
  for (const auto& entry : report.syscalls) {
    const auto [at, added] = first.try_emplace({entry.arch, entry.nr}, entry.first_seen_ns);
    if (!added) at->second = std::min(at->second, entry.first_seen_ns);
  }
  std::vector<uint64_t> out;
  out.reserve(first.size());
  for (const auto& [_, ns] : first) out.push_back(ns);
  std::sort(out.begin(), out.end());
  return out;
}

bool records_nothing(const Report& report) {
  return std::none_of(report.syscalls.begin(), report.syscalls.end(), meets_profile);
}

Status write_report_file(const std::string& path, const Report& report) {
  return write_file_atomically(path, encode_report(report) + "\n");
}

Result<Report> read_report_file(const std::string& path) {
  const auto text = read_file(path);
  if (!text.ok()) return text.error();
  auto report = decode_report(*text);
  if (!report.ok()) return make_error(path + ": " + report.error().message);
  return report;
}

}  // namespace tailor::common
