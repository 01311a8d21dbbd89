#include "common/profile/oci.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/profile/evaluate.h"
#include "common/profile/seccomp_filter.h"
#include "common/syscalls/arch.h"
#include "common/util/file.h"
#include "tests/common/testing/error_of.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::StartsWith;

std::string decode_error(const json& document, ProfileDecodeOptions options = {}) {
  return testing::error_of(decode_profile(document.dump(), options));
}

// One of each feature the model has, Moby's extensions included.
Profile full_profile() {
  Profile profile;
  profile.default_action = Action::return_errno;
  profile.default_errno_ret = 1;
  profile.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  profile.arch_map = {{"SCMP_ARCH_AARCH64", {"SCMP_ARCH_ARM"}}, {"SCMP_ARCH_RISCV64", {}}};
  profile.syscalls = {
      {.names = {"read", "write"}, .action = Action::allow},
      {.names = {"personality"},
       .action = Action::allow,
       .args = {{.index = 0, .value = 0xffffffff, .op = ArgOp::equal}}},
      {.names = {"clone"},
       .action = Action::allow,
       .args = {{.index = 1, .value = 0x7e020000, .value_two = 0, .op = ArgOp::masked_equal},
                {.index = 2, .value = 3, .value_two = 1, .op = ArgOp::masked_equal}},
       .comment = "s390 parameter ordering for clone is different",
       .includes = RuleCondition{.arches = {"s390", "s390x"}},
       .excludes = RuleCondition{.caps = {"CAP_SYS_ADMIN"}}},
      {.names = {"clone3"}, .action = Action::return_errno, .errno_ret = 38},
      {.names = {"ptrace"},
       .action = Action::allow,
       .includes = RuleCondition{.min_kernel = "4.8"}},
  };
  return profile;
}

TEST(ActionTest, NamesRoundTrip) {
  for (Action action :
       {Action::kill, Action::kill_process, Action::kill_thread, Action::trap, Action::return_errno,
        Action::trace, Action::allow, Action::log, Action::notify}) {
    EXPECT_EQ(parse_action(action_name(action)).value(), action);
  }
  EXPECT_EQ(action_name(Action::return_errno), "SCMP_ACT_ERRNO");
}

TEST(ActionTest, UnknownActionListsTheValidOnes) {
  const auto action = parse_action("SCMP_ACT_DENY");
  ASSERT_FALSE(action.ok());
  EXPECT_THAT(action.error().message, StartsWith("unknown action \"SCMP_ACT_DENY\"; valid: "));
  EXPECT_THAT(action.error().message, HasSubstr("SCMP_ACT_ALLOW"));
}

TEST(ArgOpTest, NamesRoundTrip) {
  for (ArgOp op : {ArgOp::not_equal, ArgOp::less_than, ArgOp::less_or_equal, ArgOp::equal,
                   ArgOp::greater_or_equal, ArgOp::greater_than, ArgOp::masked_equal}) {
    EXPECT_EQ(parse_arg_op(arg_op_name(op)).value(), op);
  }
  EXPECT_THAT(parse_arg_op("SCMP_CMP_LIKE").error().message, HasSubstr("SCMP_CMP_MASKED_EQ"));
}

TEST(ProfileJsonTest, RoundTrips) {
  const auto decoded = decode_profile(encode_profile(full_profile()));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->profile, full_profile());
  EXPECT_TRUE(decoded->warnings.empty());
}

TEST(ProfileJsonTest, UsesTheOciAndDockerLayout) {
  const json document = json::parse(encode_profile(full_profile()));
  std::vector<std::string> keys;
  for (const auto& [key, value] : document.items()) keys.push_back(key);
  EXPECT_THAT(keys, IsSupersetOf({"defaultAction", "defaultErrnoRet", "architectures", "archMap",
                                  "syscalls"}));
  EXPECT_EQ(document["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(document["defaultErrnoRet"], 1);
  EXPECT_EQ(document["architectures"], json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  EXPECT_EQ(document["archMap"][0], json::parse(R"({"architecture": "SCMP_ARCH_AARCH64",
                            "subArchitectures": ["SCMP_ARCH_ARM"]})"));
  EXPECT_EQ(document["syscalls"][0],
            json::parse(R"({"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"})"));
  EXPECT_EQ(document["syscalls"][2]["args"],
            json::parse(R"([{"index": 1, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"},
                            {"index": 2, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}])"));
  EXPECT_EQ(document["syscalls"][2]["includes"], json::parse(R"({"arches": ["s390", "s390x"]})"));
  EXPECT_EQ(document["syscalls"][3]["errnoRet"], 38);
  EXPECT_EQ(document["syscalls"][4]["includes"], json::parse(R"({"minKernel": "4.8"})"));
}

TEST(ProfileJsonTest, KeysComeInDockersOrder) {
  const std::string text = encode_profile(full_profile());
  const auto position = [&](const std::string& key) { return text.find("\"" + key + "\""); };
  EXPECT_LT(position("defaultAction"), position("defaultErrnoRet"));
  EXPECT_LT(position("defaultErrnoRet"), position("architectures"));
  EXPECT_LT(position("architectures"), position("syscalls"));
  EXPECT_LT(position("names"), position("action"));
}

TEST(ProfileJsonTest, LeavesOutWhatIsUnset) {
  Profile profile;
  profile.default_action = Action::allow;
  const json document = json::parse(encode_profile(profile));
  EXPECT_EQ(document, json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []})"));
}

TEST(ProfileJsonTest, EmptyConditionsAreNoConditions) {
  const json document = json::parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {}, "excludes": {}}]})");
  const auto decoded = decode_profile(document.dump());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->profile.syscalls[0].is_conditional());
}

TEST(ProfileJsonTest, RejectsBrokenDocuments) {
  EXPECT_THAT(decode_profile("{").error().message,
              StartsWith("invalid seccomp profile: not valid JSON"));
  EXPECT_EQ(decode_error(json::parse(R"({"syscalls": []})")),
            "invalid seccomp profile: defaultAction: missing");
  EXPECT_EQ(
      decode_error(json::parse(
          R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]})")),
      "invalid seccomp profile: syscalls[0].names: missing");
}

TEST(ProfileJsonTest, RejectsUnknownActions) {
  json document = json::parse(encode_profile(full_profile()));
  document["syscalls"][1]["action"] = "SCMP_ACT_PERMIT";
  EXPECT_THAT(decode_error(document),
              StartsWith("invalid seccomp profile: syscalls[1].action: unknown action "
                         "\"SCMP_ACT_PERMIT\"; valid: SCMP_ACT_KILL, "));
}

TEST(ProfileJsonTest, RejectsBadArguments) {
  json document = json::parse(encode_profile(full_profile()));
  document["syscalls"][2]["args"][1]["index"] = 6;
  EXPECT_EQ(decode_error(document),
            "invalid seccomp profile: syscalls[2].args[1].index: must be 0 to 5");

  document = json::parse(encode_profile(full_profile()));
  document["syscalls"][1]["args"][0]["op"] = "SCMP_CMP_LIKE";
  EXPECT_THAT(decode_error(document),
              StartsWith("invalid seccomp profile: syscalls[1].args[0].op: unknown comparison "
                         "operator \"SCMP_CMP_LIKE\""));
}

TEST(ProfileJsonTest, RejectsUnknownArchitectures) {
  json document = json::parse(encode_profile(full_profile()));
  document["architectures"][1] = "SCMP_ARCH_VAX";
  EXPECT_THAT(decode_error(document),
              StartsWith("invalid seccomp profile: architectures: unknown architecture "
                         "\"SCMP_ARCH_VAX\""));

  document = json::parse(encode_profile(full_profile()));
  document["archMap"][0]["subArchitectures"][0] = "x86";
  EXPECT_THAT(decode_error(document), HasSubstr("archMap[0].subArchitectures: unknown"));
}

TEST(ProfileJsonTest, RejectsNamesNoCoveredArchitectureHas) {
  json document = json::parse(R"({"defaultAction": "SCMP_ACT_ERRNO",
      "architectures": ["SCMP_ARCH_AARCH64"],
      "syscalls": [{"names": ["openat", "open"], "action": "SCMP_ACT_ALLOW"}]})");
  EXPECT_THAT(decode_error(document),
              StartsWith("invalid seccomp profile: syscalls[0].names: syscall \"open\" is "
                         "unknown to libseccomp "));
  EXPECT_THAT(decode_error(document), HasSubstr(" on aarch64"));

  // A name has to exist on one covered architecture, not on all of them.
  document["architectures"].push_back("SCMP_ARCH_X86_64");
  EXPECT_EQ(decode_error(document), testing::kNoError);

  document["syscalls"][0]["names"].push_back("no_such_syscall");
  EXPECT_THAT(decode_error(document), HasSubstr("\"no_such_syscall\" is unknown"));
}

TEST(ProfileJsonTest, NamesAreCheckedAgainstTheNativeArchWhenNoneIsListed) {
  const json document = json::parse(R"({"defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [{"names": ["no_such_syscall"], "action": "SCMP_ACT_ALLOW"}]})");
  EXPECT_THAT(decode_error(document), HasSubstr(" on " + native_arch()));
}

TEST(ProfileJsonTest, UnknownNamesCanBeWarnings) {
  const json document = json::parse(R"({"defaultAction": "SCMP_ACT_ERRNO",
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"],
      "syscalls": [{"names": ["read", "no_such_syscall"], "action": "SCMP_ACT_ALLOW"}]})");
  const auto decoded = decode_profile(document.dump(), {.allow_unknown_names = true});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_THAT(decoded->profile.syscalls[0].names, ElementsAre("read", "no_such_syscall"));
  EXPECT_THAT(decoded->profile.architectures, ElementsAre("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"));
  ASSERT_EQ(decoded->warnings.size(), 2u);
  EXPECT_THAT(decoded->warnings[0], StartsWith("architectures: unknown architecture"));
  EXPECT_THAT(decoded->warnings[1], StartsWith("syscalls[0].names: syscall \"no_such_syscall\""));
}

class MobyDefaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto text = read_file(path_);
    ASSERT_TRUE(text.ok()) << "reference data missing: " << text.error().message;
    text_ = std::move(*text);
  }

  const std::string path_ = TAILOR_REFERENCE_DIR "/profiles/moby-default.json";
  std::string text_;
};

TEST_F(MobyDefaultTest, DecodesWithItsNamesAndConditions) {
  const auto decoded = decode_profile(text_, {.allow_unknown_names = true});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const Profile& profile = decoded->profile;
  EXPECT_EQ(profile.default_action, Action::return_errno);
  EXPECT_EQ(profile.default_errno_ret, 1u);
  EXPECT_TRUE(profile.architectures.empty());
  ASSERT_FALSE(profile.arch_map.empty());
  EXPECT_EQ(profile.arch_map[0],
            (ArchMapEntry{"SCMP_ARCH_X86_64", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}}));

  // The unconditional allow list is the file's, name for name.
  const json raw = json::parse(text_);
  ASSERT_FALSE(profile.syscalls.empty());
  const SyscallRule& base = profile.syscalls[0];
  EXPECT_FALSE(base.is_conditional());
  EXPECT_EQ(base.action, Action::allow);
  EXPECT_EQ(base.names, raw["syscalls"][0]["names"].get<std::vector<std::string>>());
  EXPECT_THAT(base.names, IsSupersetOf({"read", "openat", "execve", "futex"}));
  EXPECT_EQ(profile.syscalls.size(), raw["syscalls"].size());

  // Rules Docker applies only for some containers are kept and flagged.
  const auto rule_for = [&](const std::string& name) -> const SyscallRule& {
    for (const auto& rule : profile.syscalls) {
      if (rule.names == std::vector<std::string>{name}) return rule;
    }
    throw std::runtime_error("no rule for " + name);
  };
  EXPECT_TRUE(rule_for("reboot").is_conditional());
  EXPECT_THAT(rule_for("reboot").includes->caps, ElementsAre("CAP_SYS_BOOT"));
  EXPECT_EQ(rule_for("clone3").action, Action::return_errno);
  EXPECT_EQ(rule_for("clone3").errno_ret, 38u);
  EXPECT_THAT(rule_for("clone3").excludes->caps, ElementsAre("CAP_SYS_ADMIN"));
  EXPECT_THAT(rule_for("arch_prctl").includes->arches, ElementsAre("amd64", "x32"));
}

TEST_F(MobyDefaultTest, WarnsOnlyAboutNamesThisLibseccompLacks) {
  const auto decoded = decode_profile(text_, {.allow_unknown_names = true});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  for (const auto& warning : decoded->warnings) {
    EXPECT_THAT(warning, HasSubstr("unknown")) << warning;
  }
  if (!is_known_arch("loongarch64")) {
    EXPECT_THAT(decoded->warnings, Contains(HasSubstr("SCMP_ARCH_LOONGARCH64")));
    const auto strict = decode_profile(text_);
    ASSERT_FALSE(strict.ok());
    EXPECT_THAT(strict.error().message, HasSubstr("SCMP_ARCH_LOONGARCH64"));
  }
}

TEST_F(MobyDefaultTest, DroppingUnknownNamesLeavesAFilterThatCompiles) {
  const auto decoded =
      decode_profile(text_, {.allow_unknown_names = true, .drop_unknown_names = true});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto kept = decode_profile(text_, {.allow_unknown_names = true});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(decoded->warnings.size(), kept->warnings.size());
  for (const auto& warning : decoded->warnings) {
    if (warning.find("syscall") != std::string::npos) {
      EXPECT_THAT(warning, HasSubstr("left out"));
    }
  }
  const auto filter = SeccompFilter::build(decoded->profile);
  EXPECT_TRUE(filter.ok()) << filter.error().message;
  const bool names_unknown = std::any_of(
      kept->warnings.begin(), kept->warnings.end(),
      [](const std::string& warning) { return warning.find("syscall") != std::string::npos; });
  if (names_unknown) {
    EXPECT_FALSE(SeccompFilter::build(kept->profile).ok());
  }
  if (native_arch() == "x86_64") {
    EXPECT_EQ(evaluate(decoded->profile, "x86_64", "arch_prctl", std::nullopt), Action::allow)
        << "allowed on amd64 only, which is this host";
  }
}

TEST_F(MobyDefaultTest, WritesBackWhatItRead) {
  const auto decoded = decode_profile(text_, {.allow_unknown_names = true});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto again =
      decode_profile(encode_profile(decoded->profile), {.allow_unknown_names = true});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->profile, decoded->profile);
}

}  // namespace
}  // namespace tailor::common
