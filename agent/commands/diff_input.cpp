#include "agent/commands/diff_input.h"

#include "agent/commands/profile_input.h"
#include "common/profile/oci.h"
#include "common/reference/reference_profiles.h"
#include "common/report/report.h"
#include "common/util/file.h"
#include "common/util/json_reader.h"

namespace tailor::agent {
namespace {

common::Result<AllowSet> parse(const std::string& text) {
  // A report is JSON with a "format"; anything else must be a profile.
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && text[start] == '{') {
    const auto document = common::parse_json(text);
    if (document.ok() && document->is_object() && document->contains("format")) {
      auto report = common::decode_report(text);
      if (!report.ok()) return report.error();
      return report_allow_set(*report);
    }
  }
  auto profile = parse_profile_input(text);
  if (!profile.ok()) return profile.error();
  return profile_allow_set(profile->decoded.profile, profile->kind);
}

}  // namespace

common::Result<AllowSet> load_diff_input(const std::string& path) {
  const auto text = common::read_file(path);
  if (!text.ok()) return text.error();
  auto loaded = parse(*text);
  if (!loaded.ok()) return common::make_error(path + ": " + loaded.error().message);
  return loaded;
}

common::Result<AllowSet> load_default_profile(std::string_view name, const std::string& path) {
  const auto reference = common::reference_profile(name);
  if (!reference.ok()) return reference.error();
  std::string text(reference->text);
  if (!path.empty()) {
    auto file = common::read_file(path);
    if (!file.ok()) return file.error();
    text = std::move(*file);
  }
  auto decoded = common::decode_profile(text, {.allow_unknown_names = true});
  if (!decoded.ok()) {
    return common::make_error((path.empty() ? std::string(name) : path) + ": " +
                              decoded.error().message);
  }
  return profile_allow_set(decoded->profile, "default profile");
}

}  // namespace tailor::agent
