// `tailor profile` as a user runs it: the real binary on report files in a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "common/k8s/seccomp_profile_object.h"
#include "common/k8s/yaml_json.h"
#include "common/profile/oci.h"
#include "common/report/report.h"
#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/k8s/crd.h"
#include "tests/support/k8s/schema_validator.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::run_tailor;

class ProfileCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(common::write_report_file(report_, common::testing::sample_report()).ok());
  }

  common::Profile read_profile(const std::string& path) {
    const auto text = common::read_file(path);
    EXPECT_TRUE(text.ok()) << text.error().message;
    const auto decoded = common::decode_profile(text.ok() ? *text : "");
    EXPECT_TRUE(decoded.ok()) << decoded.error().message;
    return decoded.ok() ? decoded->profile : common::Profile{};
  }

  // The object must pass the CRD's schema for its version, as the API server checks it.
  static nlohmann::json expect_valid_object(const std::string& yaml, const std::string& version) {
    const auto object = common::yaml_to_json(yaml);
    EXPECT_TRUE(object.ok()) << object.error().message;
    const auto crd =
        tailor::testing::load_crd_file(TAILOR_REFERENCE_DIR "/spo/seccompprofile-crd.yaml");
    EXPECT_TRUE(crd.ok()) << crd.error().message;
    if (!object.ok() || !crd.ok()) return {};
    const tailor::testing::SchemaValidator validator(crd->version(version)->schema);
    const auto errors = validator.validate(*object);
    EXPECT_TRUE(errors.empty()) << tailor::testing::join_field_errors(errors);
    return *object;
  }

  common::testing::TempDir dir_;
  const std::string report_ = dir_.file("curl.report.json");
  const std::string out_ = dir_.file("out");
};

TEST_F(ProfileCommandTest, WritesAnOciProfileWithArgumentRules) {
  const auto result = run_tailor({"profile", report_, "-o", out_});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("-> " + out_));
  const common::Profile profile = read_profile(out_);
  EXPECT_EQ(profile.default_action, common::Action::return_errno);
  bool socket_has_args = false;
  for (const auto& rule : profile.syscalls) {
    if (rule.names == std::vector<std::string>{"socket"}) socket_has_args = !rule.args.empty();
  }
  EXPECT_TRUE(socket_has_args) << "--args standard restricts socket families";

  const auto off = run_tailor({"profile", report_, "--args", "off"});
  ASSERT_EQ(off.exit_status, 0) << off.err;
  const auto names_only = common::decode_profile(off.out);
  ASSERT_TRUE(names_only.ok()) << names_only.error().message;
  for (const auto& rule : names_only->profile.syscalls) {
    if (rule.action == common::Action::allow) {
      EXPECT_THAT(rule.args, IsEmpty());
    }
  }
}

TEST_F(ProfileCommandTest, TellsWhatItAddedAndWhy) {
  const auto result = run_tailor({"profile", report_, "-o", out_, "--allow", "ptrace"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("tailor: added ptrace: "));
  bool allowed = false;
  for (const auto& rule : read_profile(out_).syscalls) {
    for (const auto& name : rule.names) allowed |= name == "ptrace";
  }
  EXPECT_TRUE(allowed);
}

TEST_F(ProfileCommandTest, WritesAValidSeccompProfileNamedAfterTheCommand) {
  const auto result = run_tailor({"profile", report_, "--format", "spo", "-o", out_, "--arch",
                                  "aarch64", "--label", "app=curl"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const auto yaml = common::read_file(out_);
  ASSERT_TRUE(yaml.ok());
  const nlohmann::json object = expect_valid_object(*yaml, "v1");
  EXPECT_EQ(object["metadata"], (nlohmann::json{{"name", "sh"}, {"labels", {{"app", "curl"}}}}));
  EXPECT_THAT(object["spec"]["architectures"].dump(), HasSubstr("SCMP_ARCH_AARCH64"));
  // The same profile as the OCI form.
  const auto oci = run_tailor({"profile", report_, "--arch", "aarch64"});
  ASSERT_EQ(oci.exit_status, 0) << oci.err;
  const auto from_object = common::profile_from_seccomp_profile(object);
  ASSERT_TRUE(from_object.ok()) << from_object.error().message;
  common::Profile expected = common::decode_profile(oci.out).value().profile;
  expected.default_errno_ret.reset();  // EPERM, the runtime's default without the field
  EXPECT_EQ(from_object->profile, expected);
}

TEST_F(ProfileCommandTest, V1beta1AndJsonForms) {
  const auto result = run_tailor({"profile", report_, "--format", "spo-json", "--spo-version",
                                  "v1beta1", "--namespace", "shop", "--name", "curl-client"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const nlohmann::json object = expect_valid_object(result.out, "v1beta1");
  EXPECT_EQ(object["apiVersion"], "security-profiles-operator.x-k8s.io/v1beta1");
  EXPECT_EQ(object["metadata"]["namespace"], "shop");
  EXPECT_EQ(object["metadata"]["name"], "curl-client");
}

TEST_F(ProfileCommandTest, SaysWhatMayBeMissingWhenTheRecorderLostData) {
  common::Report report = common::testing::sample_report();
  report.recorder_stats["events_dropped"] = 3;
  report.recorder_stats["sets_full"] = 1;
  ASSERT_TRUE(common::write_report_file(report_, report).ok());
  const auto result = run_tailor({"profile", report_, "-o", out_});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err,
              HasSubstr("tailor: warning: the recorder lost data (events_dropped=3, sets_full=1), "
                        "so this profile may be incomplete; what may be missing: "));
  EXPECT_THAT(result.err, HasSubstr("sets_full: every syscall of a cgroup the recorder had no "
                                    "room for"));

  report.recorder_stats = {{"events_sent", 9}, {"events_dropped", 0}};
  ASSERT_TRUE(common::write_report_file(report_, report).ok());
  const auto clean = run_tailor({"profile", report_, "-o", out_});
  EXPECT_THAT(clean.err, ::testing::Not(HasSubstr("lost data")));
}

TEST_F(ProfileCommandTest, CountsDistinctSyscallsAndRulesApart) {
  const auto result = run_tailor({"profile", report_, "-o", out_});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  std::set<std::string> names;
  size_t entries = 0, rules = 0, conditional = 0;
  for (const auto& rule : read_profile(out_).syscalls) {
    if (rule.action != common::Action::allow) continue;
    ++rules;
    conditional += rule.args.empty() ? 0 : 1;
    entries += rule.names.size();
    names.insert(rule.names.begin(), rule.names.end());
  }
  ASSERT_LT(names.size(), entries) << "socket is named in a rule per recorded family";
  EXPECT_THAT(result.err,
              ::testing::ContainsRegex("profile allows " + std::to_string(names.size()) +
                                       " syscalls \\([0-9]+ added\\); " + std::to_string(rules) +
                                       " allow rules, " + std::to_string(conditional) +
                                       " with argument conditions -> "));
}

TEST_F(ProfileCommandTest, AnEmptyRecordingFailsUnlessAllowed) {
  common::Report report = common::testing::sample_report();
  // The runtime's set-up never meets a profile: this recording gives a profile nothing.
  std::erase_if(report.syscalls,
                [](const auto& entry) { return entry.phase != common::Phase::runtime_setup; });
  ASSERT_FALSE(report.syscalls.empty());
  ASSERT_TRUE(common::write_report_file(report_, report).ok());
  expect_one_line_failure(run_tailor({"profile", report_, "-o", out_}), 1,
                          "records no syscalls, so its profile would deny everything");
  EXPECT_FALSE(fs::exists(out_));
  const auto allowed = run_tailor({"profile", report_, "--allow-empty", "-o", out_});
  ASSERT_EQ(allowed.exit_status, 0) << allowed.err;
  EXPECT_THAT(allowed.err, HasSubstr("warning: the recording holds no syscalls"));
  EXPECT_TRUE(fs::exists(out_));
}

TEST_F(ProfileCommandTest, NamesASeccompProfileAfterTheRecordedProgram) {
  common::Report report = common::testing::sample_report();
  report.info.argv = {"/opt/my tools/fetch", "-s", "example.com"};
  report.info.target = "'/opt/my tools/fetch' -s example.com";
  ASSERT_TRUE(common::write_report_file(report_, report).ok());
  const auto result = run_tailor({"profile", report_, "--format", "spo-json"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["metadata"]["name"], "fetch");
}

TEST_F(ProfileCommandTest, BadInputFailsInOneLineWithoutAFile) {
  ASSERT_TRUE(common::write_file_atomically(dir_.file("broken.json"), "{\"format\": ").ok());
  ASSERT_TRUE(common::write_file_atomically(dir_.file("profile.json"),
                                            "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}")
                  .ok());
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"profile", report_, "--arch", "vax"}, "vax"},
      {{"profile", report_, "--args", "paranoid"}, "unknown argument level \"paranoid\""},
      {{"profile", report_, "--format", "docker"},
       "unknown format \"docker\"; valid: oci, spo, spo-json"},
      {{"profile", report_, "--allow", "no_such_call"}, "no_such_call"},
      {{"profile", report_, "--format", "spo", "--name", "Bad_Name"},
       "invalid SeccompProfile name \"Bad_Name\""},
      {{"profile", report_, "--format", "spo", "--namespace", "shop"}, "cluster-scoped"},
      {{"profile", report_, "--format", "spo", "--spo-version", "v1beta1"}, "namespaced"},
      {{"profile", report_, "--format", "spo", "--label", "novalue"}, "expected KEY=VALUE"},
      {{"profile", report_, "--name", "x"}, "are for --format spo or spo-json"},
      {{"profile", dir_.file("broken.json")}, "invalid report"},
      {{"profile", dir_.file("profile.json")}, "invalid report"},
      {{"profile", dir_.file("missing.json")}, "cannot read"},
      {{"profile", "/dev/zero"}, "cannot read /dev/zero: it is larger than 64 MiB"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"-o", out_});
    SCOPED_TRACE(c.message);
    const auto result = run_tailor(args);
    EXPECT_NE(result.exit_status, 0);
    expect_one_line_failure(result, result.exit_status, c.message);
    EXPECT_FALSE(fs::exists(out_));
  }
}

}  // namespace
}  // namespace tailor::agent
