// `tailor diff` as a user runs it: the real binary on reports and profiles in a temporary
// directory, and on the runtimes' default profiles it carries built in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/report/report.h"
#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

using nlohmann::json;
using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using testing::run_tailor;

// The variable older versions read Docker's profile from: unset, nothing on disk is needed.
const std::vector<std::string> kNoProfileEnv = {"-u", "TAILOR_DOCKER_PROFILE"};

json profile_of(std::vector<std::string> names) {
  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"architectures", {"SCMP_ARCH_X86_64"}},
          {"syscalls", {{{"names", names}, {"action", "SCMP_ACT_ALLOW"}}}}};
}

json allow_if(const std::string& name, uint32_t index, const std::string& op, uint64_t value,
              uint64_t value_two = 0) {
  return {{"names", {name}},
          {"action", "SCMP_ACT_ALLOW"},
          {"args", {{{"index", index}, {"value", value}, {"valueTwo", value_two}, {"op", op}}}}};
}

json profile_with(const std::vector<json>& rules) {
  json profile = profile_of({"read"});
  for (const auto& rule : rules) profile["syscalls"].push_back(rule);
  return profile;
}

struct BuiltInDefault {
  std::string name;
  std::string source;
};

const std::vector<BuiltInDefault> kDefaults = {
    {"docker-default", "moby/profiles cd3bed80"},
    {"containerd-default", "containerd/containerd 301026e5"},
    {"crio-default", "containers/common f437c58a"}};

class DiffCommandTest : public ::testing::Test {
 protected:
  std::string write_json(const std::string& name, const json& document) {
    return dir_.write(name, document.dump(2));
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
  EXPECT_THAT(result.out,
              HasSubstr("x86_64 mount: A: any arguments; B: arg0 == 0; A allows more\n"));
  EXPECT_THAT(result.out, ::testing::Not(HasSubstr("Security-sensitive")));
  EXPECT_THAT(result.out,
              HasSubstr("A allows 0 syscalls B does not; B allows 2 A does not; 1 syscall A "
                        "allows with more arguments\n"));

  const auto as_json = run_tailor({"diff", a, b, "--json"});
  EXPECT_EQ(as_json.exit_status, 1);
  const json parsed = json::parse(as_json.out);
  EXPECT_EQ(parsed["counts"], (json{{"only_a", 0}, {"only_b", 2}, {"args_differ", 1}}));
  EXPECT_EQ(parsed["only_b"]["x86_64"], (json{"close", "openat"}));
  EXPECT_EQ(parsed["args_differ"][0]["name"], "mount");
  EXPECT_EQ(parsed["args_differ"][0]["wider"], "a");
  EXPECT_EQ(parsed["identical"], false);
  EXPECT_EQ(parsed["against"], nullptr);
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
  // socket's recorded families against a rule that allows any: the profile's contains them.
  EXPECT_EQ(parsed["args_differ"][0]["name"], "socket");
  EXPECT_EQ(parsed["args_differ"][0]["wider"], "b");
}

// The profile restricts socket's family with `arg0 & 0xffffffff == 1` (an int argument), the
// report needs `arg0 == 1`: the same calls, so no difference in argument rules.
TEST_F(DiffCommandTest, ReportAgainstItsArgumentProfileHasNoNotationDifferences) {
  const std::string report = dir_.file("r.json");
  ASSERT_TRUE(common::write_report_file(report, common::testing::sample_report()).ok());
  const std::string profile = dir_.file("p.json");
  ASSERT_EQ(run_tailor({"profile", report, "--no-implications", "-o", profile}).exit_status, 0);
  ASSERT_THAT(common::read_file(profile).value(), HasSubstr("SCMP_CMP_MASKED_EQ"));
  const auto result = run_tailor({"diff", report, profile, "--json"});
  const json parsed = json::parse(result.out);
  EXPECT_EQ(parsed["args_differ"], json::array()) << result.out;
  EXPECT_EQ(parsed["counts"]["only_a"], 0);
}

TEST_F(DiffCommandTest, FullMaskOnAnIntArgumentIsEqualityButNotOnALongOne) {
  const auto masked =
      write_json("masked.json",
                 profile_with({allow_if("personality", 0, "SCMP_CMP_MASKED_EQ", 0xffffffff, 8),
                               allow_if("ioctl", 1, "SCMP_CMP_MASKED_EQ", ~uint64_t{0}, 0x5401)}));
  const auto equal =
      write_json("equal.json", profile_with({allow_if("personality", 0, "SCMP_CMP_EQ", 8),
                                             allow_if("ioctl", 1, "SCMP_CMP_EQ", 0x5401)}));
  const auto same = run_tailor({"diff", masked, equal});
  EXPECT_EQ(same.exit_status, 0) << same.out << same.err;
  EXPECT_THAT(same.out, HasSubstr("identical"));

  // unshare's flags are an unsigned long: the mask leaves the upper half free.
  const auto long_masked = write_json(
      "long.json", profile_with({allow_if("unshare", 0, "SCMP_CMP_MASKED_EQ", 0xffffffff, 8)}));
  const auto long_equal =
      write_json("long-eq.json", profile_with({allow_if("unshare", 0, "SCMP_CMP_EQ", 8)}));
  const auto differ = run_tailor({"diff", long_masked, long_equal});
  EXPECT_EQ(differ.exit_status, 1) << differ.err;
  EXPECT_THAT(differ.out, HasSubstr("x86_64 unshare: A: arg0 & 0xffffffff == 8; B: arg0 == 8; "
                                    "A allows more\n"));
}

// A condition is a subset of what an unconditional rule, or a weaker condition, allows.
TEST_F(DiffCommandTest, ConditionsInsideTheOtherSidesAreContainedNotDifferent) {
  const auto narrow = write_json(
      "narrow.json", profile_with({allow_if("ioctl", 1, "SCMP_CMP_EQ", 0x5401),
                                   allow_if("socket", 0, "SCMP_CMP_EQ", 1),
                                   allow_if("clone", 0, "SCMP_CMP_MASKED_EQ", 0x7e020080, 0),
                                   allow_if("setns", 1, "SCMP_CMP_EQ", 0x20000)}));
  const auto wide = write_json(
      "wide.json", profile_with({json{{"names", {"ioctl"}}, {"action", "SCMP_ACT_ALLOW"}},
                                 allow_if("socket", 0, "SCMP_CMP_LT", 38),
                                 allow_if("clone", 0, "SCMP_CMP_MASKED_EQ", 0x7e020000, 0),
                                 allow_if("setns", 1, "SCMP_CMP_EQ", 0x40000000)}));
  const auto result = run_tailor({"diff", narrow, wide, "--json"});
  ASSERT_EQ(result.exit_status, 1) << result.err;
  std::map<std::string, std::string> wider;
  const json parsed = json::parse(result.out);
  for (const auto& d : parsed["args_differ"]) wider[d["name"]] = d["wider"];
  EXPECT_EQ(wider, (std::map<std::string, std::string>{
                       {"clone", "b"}, {"ioctl", "b"}, {"setns", "both"}, {"socket", "b"}}));

  const auto text = run_tailor({"diff", narrow, wide});
  EXPECT_THAT(text.out,
              HasSubstr("x86_64 ioctl: A: arg1 == 0x5401; B: any arguments; B allows more\n"));
  EXPECT_THAT(text.out, HasSubstr("x86_64 setns: A: arg1 == 0x20000; B: arg1 == 0x40000000; "
                                  "each allows calls the other does not\n"));
  EXPECT_THAT(text.out, HasSubstr("3 syscalls B allows with more arguments, 1 syscall with other "
                                  "argument rules\n"));
}

// Each built-in default, with no file on disk: counts per architecture by default.
TEST_F(DiffCommandTest, AgainstEachBuiltInDefaultPrintsCountsAndSensitiveRemovals) {
  const auto mine = write_json("mine.json", profile_of({"read", "write", "exit_group", "bpf"}));
  for (const auto& reference : kDefaults) {
    SCOPED_TRACE(reference.name);
    const auto result = run_tailor({"diff", mine, "--against", reference.name}, kNoProfileEnv);
    ASSERT_EQ(result.exit_status, 1) << result.err;
    EXPECT_THAT(result.out,
                HasSubstr("B: " + reference.name + " (" + reference.source + ", built in)\n"));
    EXPECT_THAT(result.out, ::testing::ContainsRegex("architecture +allowed by " + reference.name +
                                                     " +allowed by A +removed +added\n"));
    EXPECT_THAT(result.out, ::testing::ContainsRegex("\n  x86_64 +[0-9]+ +4 +[0-9]+ +1\n"));
    EXPECT_THAT(result.out, HasSubstr("Security-sensitive, added: bpf\n"));
    EXPECT_THAT(result.out, HasSubstr("Security-sensitive, removed: "));
    EXPECT_THAT(result.out, HasSubstr("A removes "));
    EXPECT_THAT(result.out, HasSubstr("--full lists every name\n"));
    EXPECT_THAT(result.out, ::testing::Not(HasSubstr("accept4"))) << "names only with --full";

    const auto as_json =
        run_tailor({"diff", mine, "--against", reference.name, "--json"}, kNoProfileEnv);
    const json parsed = json::parse(as_json.out);
    EXPECT_EQ(parsed["against"], (json{{"name", reference.name},
                                       {"version", reference.source + ", built in"},
                                       {"built_in", true}}));
    EXPECT_EQ(parsed["b"]["kind"], "default profile");
    const auto& x86_64 = parsed["per_arch"]["x86_64"];
    EXPECT_EQ(x86_64["allowed_a"], 4);
    EXPECT_EQ(x86_64["only_a"], 1);
    EXPECT_EQ(x86_64["allowed_b"].get<int>(), x86_64["only_b"].get<int>() + 3);
    EXPECT_GT(x86_64["allowed_b"].get<int>(), 250);
    EXPECT_TRUE(parsed["only_b"].contains("x86")) << "the defaults' archMap covers 32-bit calls";
    // Each allows ptrace on kernels >= 4.8 and chroot with the default CAP_SYS_CHROOT.
    EXPECT_THAT(parsed["security_sensitive_only_b"].get<std::vector<std::string>>(),
                IsSupersetOf({"ptrace", "chroot"}));
  }
}

// What tells them apart here: CRI-O's default (containers/common) allows mount, unshare and
// clone3 to every container; Docker's and containerd's only with CAP_SYS_ADMIN, clone3 not at all.
TEST_F(DiffCommandTest, CrioDefaultAllowsWhatTheOthersKeepForCapSysAdmin) {
  const auto mine = write_json("mine.json", profile_of({"read"}));
  for (const auto& reference : kDefaults) {
    SCOPED_TRACE(reference.name);
    const auto result = run_tailor({"diff", mine, "--against", reference.name, "--json"});
    ASSERT_EQ(result.exit_status, 1) << result.err;
    const auto removed =
        json::parse(result.out)["only_b"]["x86_64"].get<std::vector<std::string>>();
    const bool crio = reference.name == "crio-default";
    for (const char* call : {"mount", "unshare", "clone3"}) {
      EXPECT_EQ(std::find(removed.begin(), removed.end(), call) != removed.end(), crio) << call;
    }
  }
}

TEST_F(DiffCommandTest, FullAndJsonListEveryName) {
  const auto mine = write_json("mine.json", profile_of({"read", "write", "exit_group", "bpf"}));
  const auto full = run_tailor({"diff", mine, "--against", "docker-default", "--full"});
  ASSERT_EQ(full.exit_status, 1) << full.err;
  EXPECT_THAT(full.out,
              HasSubstr("Added relative to docker-default, only in A (1):\n  x86_64 (1): bpf\n"));
  EXPECT_THAT(full.out, HasSubstr("Removed relative to docker-default, only in B ("));
  EXPECT_THAT(full.out, ::testing::ContainsRegex("\n  x86_64 \\([0-9]+\\): accept, accept4, "));
  EXPECT_THAT(full.out, ::testing::Not(HasSubstr("allowed by docker-default")));
  EXPECT_THAT(full.out, ::testing::Not(HasSubstr("--full lists")));

  const json parsed =
      json::parse(run_tailor({"diff", mine, "--against", "docker-default", "--json"}).out);
  EXPECT_THAT(parsed["only_b"]["x86_64"].get<std::vector<std::string>>(),
              IsSupersetOf({"accept", "accept4", "chroot", "ptrace"}));
}

// --against-file reads another version of the named default; --docker-profile is its old name.
TEST_F(DiffCommandTest, AgainstFileOverridesTheBuiltInCopy) {
  auto moby =
      json::parse(common::read_file(TAILOR_REFERENCE_DIR "/profiles/moby-default.json").value());
  for (auto& rule : moby["syscalls"]) {
    auto& names = rule["names"];
    names.erase(std::remove(names.begin(), names.end(), "chroot"), names.end());
  }
  const auto older = write_json("older-moby.json", moby);
  const auto mine = write_json("mine.json", profile_of({"read"}));
  for (const char* flag : {"--against-file", "--docker-profile"}) {
    SCOPED_TRACE(flag);
    const auto result =
        run_tailor({"diff", mine, "--against", "docker-default", flag, older, "--json"});
    ASSERT_EQ(result.exit_status, 1) << result.err;
    const json parsed = json::parse(result.out);
    EXPECT_EQ(parsed["against"],
              (json{{"name", "docker-default"}, {"version", older}, {"built_in", false}}));
    EXPECT_EQ(parsed["b"]["source"], "docker-default (" + older + ")");
    EXPECT_THAT(parsed["security_sensitive_only_b"].get<std::vector<std::string>>(),
                ::testing::Not(::testing::Contains("chroot")));
  }
  expect_one_line_failure(run_tailor({"diff", mine, mine, "--against-file", older}), 2,
                          "--against-file goes with --against NAME");
  expect_one_line_failure(
      run_tailor({"diff", mine, "--against", "crio-default", "--against-file", dir_.file("no")}), 2,
      "cannot read");
}

TEST_F(DiffCommandTest, BadInputFailsInOneLineWithStatusTwo) {
  const auto good = write_json("good.json", profile_of({"read"}));
  json unknown_action = profile_of({"read"});
  unknown_action["syscalls"][0]["action"] = "SCMP_ACT_MAYBE";
  json unknown_arch = profile_of({"read"});
  unknown_arch["architectures"] = {"SCMP_ARCH_VAX"};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {dir_.write("invalid.json", "{\"defaultAction\": "), "invalid JSON"},
      {dir_.write("invalid.yaml", "kind: SeccompProfile\nspec: [unclosed\n"), "invalid YAML"},
      {write_json("action.json", unknown_action), "unknown action \"SCMP_ACT_MAYBE\""},
      {write_json("arch.json", unknown_arch), "SCMP_ARCH_VAX"},
      {write_json("name.json", profile_of({"read", "no_such_call"})),
       "syscall \"no_such_call\" is unknown"},
      {dir_.write("pod.yaml", "apiVersion: v1\nkind: Pod\n"), "not a SeccompProfile"},
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
                          "--against: unknown default profile \"podman\"; known: docker-default, "
                          "containerd-default, crio-default");
}

}  // namespace
}  // namespace tailor::agent
