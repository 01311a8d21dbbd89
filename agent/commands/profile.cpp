#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "agent/commands/commands.h"
#include "agent/commands/output.h"
#include "agent/commands/profile_page.h"
#include "common/k8s/object_names.h"
#include "common/k8s/seccomp_profile_object.h"
#include "common/profile/generate.h"
#include "common/profile/oci.h"
#include "common/report/report.h"
#include "common/util/enum_names.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

enum class Format { oci, spo, spo_json };
constexpr common::EnumNames<Format, 3> kFormatNames = {
    {{Format::oci, "oci"}, {Format::spo, "spo"}, {Format::spo_json, "spo-json"}}};

struct ProfileOptions {
  std::string file;
  std::string output;
  std::string format = "oci";
  std::string args = "standard";
  bool no_new_privileges = false;
  std::vector<std::string> allow;
  std::vector<std::string> arches;
  bool no_implications = false;
  bool allow_empty = false;
  bool html = false;
  // SeccompProfile only.
  std::string spo_version;
  std::string name;
  std::string namespace_name;
  std::vector<std::string> labels;
  std::vector<std::string> annotations;
};

// A SeccompProfile needs a name; the recording suggests one: the command's program or the
// container's short id.
std::string default_spo_name(const common::RecordingInfo& info) {
  std::string base;
  if (info.target_kind == "command") {
    base = info.argv.empty() ? info.target.substr(0, info.target.find(' ')) : info.argv.front();
    base = base.substr(base.rfind('/') + 1);
  } else if (info.target_kind == "container") {
    base = info.target.substr(0, 12);
  } else if (info.target_kind == "cgroup") {
    base = info.target.substr(info.target.rfind('/') + 1);
  }
  const std::string name = common::to_dns1123_subdomain(base);
  return name.empty() ? "tailor-profile" : name;
}

// "KEY=VALUE" flags as a map; `flag` names the flag in the error.
common::Result<std::map<std::string, std::string>> key_values(const std::vector<std::string>& items,
                                                              const std::string& flag) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    const auto equals = item.find('=');
    if (equals == std::string::npos) {
      return common::make_error(flag + " \"" + item + "\": expected KEY=VALUE");
    }
    out[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return out;
}

bool spo_flags_given(const ProfileOptions& options) {
  return !options.spo_version.empty() || !options.name.empty() || !options.namespace_name.empty() ||
         !options.labels.empty() || !options.annotations.empty();
}

common::Result<common::SpoObjectOptions> spo_options(const ProfileOptions& options,
                                                     const common::Report& report) {
  common::SpoObjectOptions out;
  out.name = options.name.empty() ? default_spo_name(report.info) : options.name;
  if (!options.spo_version.empty()) out.api_version = options.spo_version;
  out.namespace_name = options.namespace_name;
  auto labels = key_values(options.labels, "--label");
  if (!labels.ok()) return labels.error();
  auto annotations = key_values(options.annotations, "--annotation");
  if (!annotations.ok()) return annotations.error();
  out.labels = std::move(*labels);
  out.annotations = std::move(*annotations);
  return out;
}

// What the profile may lack when the recorder lost data, one clause per fault counter.
std::optional<std::string> lost_data_warning(const common::Report& report) {
  const auto faults = common::recorder_faults(report);
  if (faults.empty()) return std::nullopt;
  std::vector<std::string> counts, effects;
  for (const auto& [name, value] : faults) {
    counts.push_back(name + "=" + std::to_string(value));
    effects.push_back(name + ": " + common::fault_effect(name));
  }
  return "the recorder lost data (" + common::join(counts) +
         "), so this profile may be incomplete; what may be missing: " +
         common::join(effects, "; ");
}

// The document to write, and the warnings of turning the profile into it.
common::Result<std::string> render(Format format, const common::Profile& profile,
                                   const ProfileOptions& options, const common::Report& report,
                                   std::vector<std::string>& warnings) {
  if (format == Format::oci) return common::encode_profile(profile) + "\n";
  auto spo = spo_options(options, report);
  if (!spo.ok()) return spo.error();
  for (auto& loss : common::seccomp_profile_losses(profile)) warnings.push_back(std::move(loss));
  if (format == Format::spo) return common::seccomp_profile_yaml(profile, *spo);
  auto json = common::seccomp_profile_json(profile, *spo);
  if (!json.ok()) return json.error();
  return *json + "\n";
}

int write_profile(const ProfileOptions& options) {
  const auto format = common::parse_enum(kFormatNames, options.format, "format");
  if (!format) return fail(format.error(), kExitUsage);
  if (*format == Format::oci && spo_flags_given(options)) {
    return fail(common::make_error("--spo-version, --name, --namespace, --label and --annotation "
                                   "are for --format spo or spo-json"),
                kExitUsage);
  }
  const auto level = common::parse_arg_level(options.args);
  if (!level) return fail(level.error(), kExitUsage);
  auto report = common::read_report_file(options.file);
  if (!report) return fail(report.error());
  if (common::records_nothing(*report) && !options.allow_empty) {
    return fail(
        common::make_error(options.file +
                           " records no syscalls, so its profile would deny everything: record the "
                           "workload while it runs (--allow-empty writes it anyway)"));
  }

  const common::GenerateOptions generate_options{.extra_arches = options.arches,
                                                 .arg_level = *level,
                                                 .no_new_privileges = options.no_new_privileges,
                                                 .always_allow = options.allow,
                                                 .implications = !options.no_implications};
  auto generated = common::generate_profile(*report, generate_options);
  if (!generated) return fail(generated.error(), kExitUsage);
  std::vector<std::string> warnings = generated->warnings;
  auto document = options.html ? render_profile_page(*report, *generated, generate_options)
                               : render(*format, generated->profile, options, *report, warnings);
  if (!document && options.html) return fail(document.error());
  if (!document) return fail(document.error(), kExitUsage);

  if (common::records_nothing(*report))
    warnings.push_back("the recording holds no syscalls: this profile allows only what was added");
  if (auto lost = lost_data_warning(*report)) warnings.push_back(std::move(*lost));
  for (const auto& warning : warnings)
    std::fprintf(stderr, "tailor: warning: %s\n", warning.c_str());
  for (const auto& added : generated->added) {
    std::fprintf(stderr, "tailor: added %s: %s\n", added.name.c_str(), added.reason.c_str());
  }
  if (int status = write_or_fail(options.output, *document); status != 0) return status;
  if (!is_stdout(options.output)) {
    std::set<std::string> names;
    size_t rules = 0, conditional = 0;
    for (const auto& rule : generated->profile.syscalls) {
      if (rule.action != common::Action::allow) continue;
      ++rules;
      if (!rule.args.empty()) ++conditional;
      names.insert(rule.names.begin(), rule.names.end());
    }
    std::fprintf(stderr,
                 "tailor: profile allows %zu syscalls (%zu added); %zu allow rules, %zu with "
                 "argument conditions -> %s\n",
                 names.size(), generated->added.size(), rules, conditional, options.output.c_str());
  }
  return 0;
}

}  // namespace

void add_profile_command(CLI::App& app, CommandChoice& choice) {
  auto options = std::make_shared<ProfileOptions>();
  CLI::App* cmd =
      app.add_subcommand("profile", "Write the least-privilege seccomp profile of a recording");
  cmd->add_option("file", options->file, "Report file written by tailor record or tailor merge")
      ->required();
  cmd->add_option("-o,--output", options->output, "Profile file (default: standard output)");
  auto* format =
      cmd->add_option("--format", options->format,
                      "oci (runtime JSON, default), spo (SeccompProfile YAML) or spo-json");
  cmd->add_flag("--html", options->html,
                "Write a page that explains the profile instead: why each syscall is allowed, "
                "and what it removes from the runtime defaults")
      ->excludes(format);
  cmd->add_option("--args", options->args, "Argument rules: off, standard (default) or strict");
  cmd->add_flag("--no-new-privileges", options->no_new_privileges,
                "The container runs with no_new_privileges (allowPrivilegeEscalation: false)");
  cmd->add_option("--allow", options->allow, "Also allow this syscall (repeatable)");
  cmd->add_option("--arch", options->arches,
                  "Also cover this architecture (x86_64, aarch64, SCMP_ARCH_ARM, ...; repeatable)");
  cmd->add_flag("--allow-empty", options->allow_empty,
                "Write the profile of a recording with no syscalls (it denies everything)");
  cmd->add_flag("--no-implications", options->no_implications,
                "Allow only what was recorded, not the calls that timing or chance make");
  cmd->add_option("--spo-version", options->spo_version,
                  "SeccompProfile version: v1 (default, cluster-scoped) or v1beta1 (namespaced)");
  cmd->add_option("--name", options->name,
                  "SeccompProfile name (default: the recorded command or container id)");
  cmd->add_option("--namespace", options->namespace_name, "Namespace of a v1beta1 SeccompProfile");
  cmd->add_option("--label", options->labels, "SeccompProfile label KEY=VALUE (repeatable)");
  cmd->add_option("--annotation", options->annotations,
                  "SeccompProfile annotation KEY=VALUE (repeatable)");
  cmd->callback([options, &choice] { choice.run = [options] { return write_profile(*options); }; });
}

}  // namespace tailor::agent
