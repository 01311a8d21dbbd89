#include "agent/commands/profile_input.h"

#include <nlohmann/json.hpp>

#include "common/k8s/seccomp_profile_object.h"
#include "common/k8s/yaml_json.h"
#include "common/report/report.h"
#include "common/util/file.h"
#include "common/util/json_reader.h"

namespace tailor::agent {
namespace {

constexpr const char* kExpected =
    "expected an OCI seccomp profile (JSON) or a SeccompProfile (YAML or JSON)";

common::Result<ProfileInput> tagged(common::Result<common::ProfileWithWarnings> decoded,
                                    std::string kind) {
  if (!decoded.ok()) return decoded.error();
  return ProfileInput{std::move(*decoded), std::move(kind)};
}

// A document that is no seccomp profile at all gets told what one looks like; one that is,
// only what is wrong with it.
common::Error not_a_profile(const std::string& message) {
  return common::make_error(message + "; " + kExpected);
}

common::Result<ProfileInput> from_object(const nlohmann::json& document,
                                         const common::ProfileDecodeOptions& options) {
  if (!document.is_object()) return not_a_profile("not an object");
  if (document.contains("format") && document["format"] == common::Report::kFormatName) {
    return common::make_error(
        "a tailor report, not a profile: write its profile with `tailor profile`");
  }
  if (document.contains("kind") || !document.contains("defaultAction")) {
    auto decoded = common::profile_from_seccomp_profile(document, options);
    if (!decoded.ok() && document.value("kind", "") != "SeccompProfile") {
      return not_a_profile(decoded.error().message);
    }
    return tagged(std::move(decoded), "SeccompProfile");
  }
  return tagged(common::decode_profile(document.dump(), options), "OCI profile");
}

}  // namespace

common::Result<ProfileInput> parse_profile_input(const std::string& text,
                                                 const common::ProfileDecodeOptions& options) {
  // JSON documents start with a brace; anything else can only be YAML.
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos || text[start] != '{') {
    const auto document = common::yaml_to_json(text);
    if (!document.ok()) return not_a_profile(document.error().message);
    return from_object(*document, options);
  }
  const auto document = common::parse_json(text);
  if (!document.ok()) return not_a_profile("invalid JSON: " + document.error().message);
  return from_object(*document, options);
}

common::Result<ProfileInput> load_profile_input(const std::string& path,
                                                const common::ProfileDecodeOptions& options) {
  const auto text = common::read_file(path);
  if (!text.ok()) return text.error();
  auto loaded = parse_profile_input(*text, options);
  if (!loaded.ok()) return common::make_error(path + ": " + loaded.error().message);
  return loaded;
}

}  // namespace tailor::agent
