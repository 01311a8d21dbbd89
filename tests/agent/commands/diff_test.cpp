// `tailor diff` as a user runs it: the real binary on reports and profiles in a temporary
// directory, and on Docker's default profile from data/reference through $TAILOR_DOCKER_PROFILE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/report/report.h"
#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using testing::run_tailor;

const std::string kDockerEnv =
    "TAILOR_DOCKER_PROFILE=" TAILOR_REFERENCE_DIR "/profiles/moby-default.json";

json profile_of(std::vector<std::string> names) {
  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"architectures", {"SCMP_ARCH_X86_64"}},
          {"syscalls", {{{"names", names}, {"action", "SCMP_ACT_ALLOW"}}}}};
}

class DiffCommandTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_.file(name);
    EXPECT_TRUE(common::write_file_atomically(path, text).ok());
    return path;
  }
  std::string write_json(const std::string& name, const json& document) {
    return write(name, document.dump(2));
  }

  common::testing::TempDir dir_;
};

TEST_F(DiffCommandTest, SameProfileInTwoFormatsIsIdentical) {
  const std::string report = dir_.file("r.json");
  ASSERT_TRUE(common::write_report_file(report, common::testing::sample_report()).ok());
  const std::string oci = dir_.file("p.json"), spo = dir_.file("p.yaml");
  ASSERT_EQ(run_tailor({"profile", report, "-o", oci}).exit_status, 0);
  ASSERT_EQ(run_tailor({"profile", report, "--format", "spo", "-o", spo}).exit_status, 0);
  const auto result = run_tailor({"diff", oci, spo});
  EXPECT_EQ(result.exit_status, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("identical"));
}

TEST_F(DiffCommandTest, ListsWhatEachAllowsWithCountsAndExitsOne) {
  const auto a = write_json("a.json", profile_of({"read", "write", "mount"}));
  json b_doc = profile_of({"read", "write", "close", "openat"});
  b_doc["syscalls"].push_back({{"names", {"mount"}},
                               {"action", "SCMP_ACT_ALLOW"},
                               {"args", {{{"index", 0}, {"value", 0}, {"op", "SCMP_CMP_EQ"}}}}});
  const auto b = write_json("b.json", b_doc);
  const auto result = run_tailor({"diff", a, b});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Only in B (2):\n  x86_64 (2): close, openat\n"));
  EXPECT_THAT(result.out, HasSubstr("x86_64 mount: A: any arguments; B: arg0 == 0"));
  EXPECT_THAT(result.out, ::testing::Not(HasSubstr("Security-sensitive")));
  EXPECT_THAT(result.out,
              HasSubstr("A allows 0 syscalls B does not; B allows 2 A does not; 1 syscall with "
                        "other argument rules\n"));

  const auto as_json = run_tailor({"diff", a, b, "--json"});
  EXPECT_EQ(as_json.exit_status, 1);
  const json parsed = json::parse(as_json.out);
  EXPECT_EQ(parsed["counts"], (json{{"only_a", 0}, {"only_b", 2}, {"args_differ", 1}}));
  EXPECT_EQ(parsed["only_b"]["x86_64"], (json{"close", "openat"}));
  EXPECT_EQ(parsed["args_differ"][0]["name"], "mount");
  EXPECT_EQ(parsed["identical"], false);
}

TEST_F(DiffCommandTest, ReportAgainstItsProfileShowsOnlyWhatWasAdded) {
  const std::string report = dir_.file("r.json");
  ASSERT_TRUE(common::write_report_file(report, common::testing::sample_report()).ok());
  const std::string profile = dir_.file("p.json");
  ASSERT_EQ(run_tailor({"profile", report, "--args", "off", "--no-implications", "-o", profile})
                .exit_status,
            0);
  const auto result = run_tailor({"diff", report, profile, "--json"});
  ASSERT_EQ(result.exit_status, 1) << result.err;
  const json parsed = json::parse(result.out);
  EXPECT_EQ(parsed["a"]["kind"], "report");
  EXPECT_EQ(parsed["counts"]["only_a"], 0) << "the profile allows everything the workload needs";
  // socket's recorded families against a rule that allows any.
  EXPECT_EQ(parsed["args_differ"][0]["name"], "socket");
}

TEST_F(DiffCommandTest, AgainstDockerDefaultCountsAndNamesSensitiveRemovals) {
  const auto mine = write_json("mine.json", profile_of({"read", "write", "exit_group", "bpf"}));
  const auto result = run_tailor({"diff", mine, "--against", "docker-default"}, {kDockerEnv});
  ASSERT_EQ(result.exit_status, 1) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Removed relative to Docker's default"));
  EXPECT_THAT(result.out,
              HasSubstr("Added relative to Docker's default, only in A (1):\n  x86_64 (1): bpf\n"));
  EXPECT_THAT(result.out, HasSubstr("Security-sensitive, removed: "));
  EXPECT_THAT(result.out, HasSubstr("A removes "));

  const auto as_json =
      run_tailor({"diff", mine, "--against", "docker-default", "--json"}, {kDockerEnv});
  const json parsed = json::parse(as_json.out);
  EXPECT_EQ(parsed["against_docker_default"], true);
  // Docker allows ptrace on kernels >= 4.8 and chroot with its default CAP_SYS_CHROOT, but not
  // mount, which needs CAP_SYS_ADMIN.
  const auto sensitive = parsed["security_sensitive_only_b"].get<std::vector<std::string>>();
  EXPECT_THAT(sensitive, IsSupersetOf({"ptrace", "chroot"}));
  EXPECT_THAT(parsed["only_b"]["x86_64"].dump(), ::testing::Not(HasSubstr("\"mount\"")));
  EXPECT_THAT(parsed["only_b"]["x86_64"].dump(), ::testing::Not(HasSubstr("\"clone3\"")));
  EXPECT_GT(parsed["only_b"]["x86_64"].size(), 250u);
  EXPECT_TRUE(parsed["only_b"].contains("x86")) << "Docker's archMap covers 32-bit calls";

  // --docker-profile takes precedence over the search.
  const auto explicit_path =
      run_tailor({"diff", mine, "--against", "docker-default", "--docker-profile",
                  TAILOR_REFERENCE_DIR "/profiles/moby-default.json"},
                 {"-u", "TAILOR_DOCKER_PROFILE"});
  EXPECT_EQ(explicit_path.exit_status, 1) << explicit_path.err;
}

TEST_F(DiffCommandTest, DockerDefaultNotFoundSaysWhereToGetIt) {
  for (const char* path : {"/usr/share/tailor/docker-default.json", "/etc/docker/seccomp.json"}) {
    if (fs::exists(path)) GTEST_SKIP() << path << " exists on this host";
  }
  const auto mine = write_json("mine.json", profile_of({"read"}));
  expect_one_line_failure(
      run_tailor({"diff", mine, "--against", "docker-default"}, {"-u", "TAILOR_DOCKER_PROFILE"}), 2,
      "github.com/moby/profiles");
  expect_one_line_failure(
      run_tailor({"diff", mine, "--against", "docker-default"}, {"-u", "TAILOR_DOCKER_PROFILE"}), 2,
      "--docker-profile PATH");
}

TEST_F(DiffCommandTest, BadInputFailsInOneLineWithStatusTwo) {
  const auto good = write_json("good.json", profile_of({"read"}));
  json unknown_action = profile_of({"read"});
  unknown_action["syscalls"][0]["action"] = "SCMP_ACT_MAYBE";
  json unknown_arch = profile_of({"read"});
  unknown_arch["architectures"] = {"SCMP_ARCH_VAX"};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {write("invalid.json", "{\"defaultAction\": "), "invalid JSON"},
      {write("invalid.yaml", "kind: SeccompProfile\nspec: [unclosed\n"), "invalid YAML"},
      {write_json("action.json", unknown_action), "unknown action \"SCMP_ACT_MAYBE\""},
      {write_json("arch.json", unknown_arch), "SCMP_ARCH_VAX"},
      {write_json("name.json", profile_of({"read", "no_such_call"})),
       "syscall \"no_such_call\" is unknown"},
      {write("pod.yaml", "apiVersion: v1\nkind: Pod\n"), "not a SeccompProfile"},
      {write_json("allow.json", json{{"defaultAction", "SCMP_ACT_ALLOW"}}), "deny-by-default"},
      {dir_.file("missing.json"), "cannot read"},
  };
  for (const auto& [path, message] : cases) {
    SCOPED_TRACE(path);
    expect_one_line_failure(run_tailor({"diff", good, path}), 2, message);
    expect_one_line_failure(run_tailor({"diff", path, good}), 2, message);
  }
  expect_one_line_failure(run_tailor({"diff", good}), 2, "one of the two");
  expect_one_line_failure(run_tailor({"diff", good, good, "--against", "docker-default"}), 2,
                          "one of the two");
  expect_one_line_failure(run_tailor({"diff", good, "--against", "podman"}), 2,
                          "unknown --against \"podman\"");
}

}  // namespace
}  // namespace tailor::agent
