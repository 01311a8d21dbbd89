#include "agent/commands/diff_input.h"

#include <cstdlib>
#include <filesystem>

#include "agent/commands/profile_input.h"
#include "common/profile/oci.h"
#include "common/report/report.h"
#include "common/util/file.h"
#include "common/util/json_reader.h"

namespace tailor::agent {
namespace {

constexpr const char* kDockerProfileEnv = "TAILOR_DOCKER_PROFILE";
constexpr const char* kDockerProfilePaths[] = {"/usr/share/tailor/docker-default.json",
                                               "/etc/docker/seccomp.json"};

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

common::Result<std::string> find_docker_profile() {
  if (const char* env = std::getenv(kDockerProfileEnv); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  for (const char* path : kDockerProfilePaths) {
    if (std::filesystem::exists(path)) return std::string(path);
  }
  return common::make_error(
      std::string("Docker's default seccomp profile not found in $") + kDockerProfileEnv + ", " +
      kDockerProfilePaths[0] + " or " + kDockerProfilePaths[1] +
      "; download seccomp/default.json from github.com/moby/profiles (formerly "
      "profiles/seccomp/default.json in moby/moby) and pass it with --docker-profile PATH");
}

common::Result<AllowSet> load_docker_profile(const std::string& path) {
  const auto text = common::read_file(path);
  if (!text.ok()) return text.error();
  auto decoded = common::decode_profile(*text, {.allow_unknown_names = true});
  if (!decoded.ok()) return common::make_error(path + ": " + decoded.error().message);
  return profile_allow_set(decoded->profile, "Docker's default");
}

}  // namespace tailor::agent
