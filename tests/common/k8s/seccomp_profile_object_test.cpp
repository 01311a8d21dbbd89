#include "common/k8s/seccomp_profile_object.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/k8s/yaml_json.h"
#include "common/util/file.h"
#include "tests/support/k8s/crd.h"
#include "tests/support/k8s/schema_validator.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using tailor::testing::Crd;
using tailor::testing::CrdVersion;
using tailor::testing::join_field_errors;
using tailor::testing::load_crd_file;
using tailor::testing::load_yaml_file;
using tailor::testing::SchemaValidator;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kCrdPath = TAILOR_REFERENCE_DIR "/spo/seccompprofile-crd.yaml";

Profile names_only() {
  Profile profile;
  profile.default_action = Action::return_errno;
  profile.architectures = {"SCMP_ARCH_X86_64"};
  profile.syscalls = {{.names = {"execve", "read", "write"}, .action = Action::allow}};
  return profile;
}

// What `tailor profile --args standard` makes for a multi-arch workload.
Profile with_arg_rules() {
  Profile profile = names_only();
  profile.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"};
  profile.syscalls.push_back({.names = {"socket"},
                              .action = Action::allow,
                              .args = {{.index = 0, .value = 1, .op = ArgOp::equal}}});
  profile.syscalls.push_back(
      {.names = {"clone"},
       .action = Action::allow,
       .args = {{.index = 0, .value = 0x7e020000, .value_two = 0, .op = ArgOp::masked_equal}}});
  profile.syscalls.push_back(
      {.names = {"personality"},
       .action = Action::allow,
       .args = {{.index = 0, .value = 0xffff, .value_two = 8, .op = ArgOp::masked_equal}}});
  profile.syscalls.push_back(
      {.names = {"clone3"}, .action = Action::return_errno, .errno_ret = 38});
  return profile;
}

class SeccompProfileObjectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = load_crd_file(kCrdPath);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    crd_ = new Crd(std::move(*loaded));
  }
  static void TearDownTestSuite() { delete crd_; }

  // Every object Tailor writes must pass the API server's validation unchanged.
  static void expect_valid(const json& object, const std::string& version) {
    const CrdVersion* schema = crd_->version(version);
    ASSERT_NE(schema, nullptr);
    const SchemaValidator validator(schema->schema);
    const auto errors = validator.validate(object);
    EXPECT_TRUE(errors.empty()) << join_field_errors(errors) << "\n" << object.dump(2);
    json pruned = object;
    EXPECT_THAT(validator.prune(pruned), IsEmpty()) << "fields the CRD does not declare";
  }

  // YAML and JSON forms both read back as the profile, less what the CRD cannot hold.
  static void expect_round_trip(const Profile& profile, const SpoObjectOptions& options) {
    auto yaml = seccomp_profile_yaml(profile, options);
    ASSERT_TRUE(yaml.ok()) << yaml.error().message;
    auto text = seccomp_profile_json(profile, options);
    ASSERT_TRUE(text.ok()) << text.error().message;
    const auto from_yaml = yaml_to_json(*yaml);
    ASSERT_TRUE(from_yaml.ok()) << from_yaml.error().message;
    EXPECT_EQ(*from_yaml, json::parse(*text));
    expect_valid(*from_yaml, options.api_version);
    auto decoded = profile_from_seccomp_profile(*from_yaml);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->profile, profile);
    EXPECT_THAT(decoded->warnings, IsEmpty());
  }

  static Crd* crd_;
};

Crd* SeccompProfileObjectTest::crd_ = nullptr;

TEST_F(SeccompProfileObjectTest, NamesOnlyV1IsClusterScoped) {
  const SpoObjectOptions options{.name = "curl"};
  auto object = seccomp_profile_object(names_only(), options);
  ASSERT_TRUE(object.ok()) << object.error().message;
  EXPECT_EQ((*object)["apiVersion"], "security-profiles-operator.x-k8s.io/v1");
  EXPECT_EQ((*object)["kind"], "SeccompProfile");
  EXPECT_EQ((*object)["metadata"], (json{{"name", "curl"}}));
  EXPECT_EQ((*object)["spec"]["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ((*object)["spec"]["syscalls"][0]["names"], (json{"execve", "read", "write"}));
  expect_valid(*object, "v1");
  expect_round_trip(names_only(), options);
}

TEST_F(SeccompProfileObjectTest, ArgRulesEnosysAndSeveralArches) {
  const SpoObjectOptions options{.name = "web.v2",
                                 .labels = {{"app.kubernetes.io/name", "web"}},
                                 .annotations = {{"description", "recorded by tailor: true"}}};
  auto object = seccomp_profile_object(with_arg_rules(), options);
  ASSERT_TRUE(object.ok()) << object.error().message;
  const json& syscalls = (*object)["spec"]["syscalls"];
  EXPECT_EQ(syscalls[3]["args"][0],
            (json{{"index", 0}, {"value", 0xffff}, {"valueTwo", 8}, {"op", "SCMP_CMP_MASKED_EQ"}}));
  EXPECT_EQ(syscalls[4]["errnoRet"], 38);
  EXPECT_EQ((*object)["spec"]["architectures"].size(), 3u);
  expect_valid(*object, "v1");
  expect_round_trip(with_arg_rules(), options);
}

TEST_F(SeccompProfileObjectTest, V1beta1IsNamespaced) {
  const SpoObjectOptions options{.name = "web", .api_version = "v1beta1", .namespace_name = "shop"};
  auto object = seccomp_profile_object(with_arg_rules(), options);
  ASSERT_TRUE(object.ok()) << object.error().message;
  EXPECT_EQ((*object)["apiVersion"], "security-profiles-operator.x-k8s.io/v1beta1");
  EXPECT_EQ((*object)["metadata"]["namespace"], "shop");
  expect_valid(*object, "v1beta1");
  expect_round_trip(with_arg_rules(), options);
}

TEST_F(SeccompProfileObjectTest, ArchitecturesAreTheCrdsEnum) {
  const json& items =
      crd_->version("v1")->schema["properties"]["spec"]["properties"]["architectures"]["items"];
  EXPECT_EQ(items["enum"].get<std::vector<std::string>>(), spo_architectures());
}

TEST_F(SeccompProfileObjectTest, NoDefaultErrnoRetFieldButEpermIsTheRuntimeDefault) {
  Profile profile = names_only();
  profile.default_errno_ret = 1;
  EXPECT_THAT(seccomp_profile_losses(profile), IsEmpty());
  auto object = seccomp_profile_object(profile, {.name = "x"});
  ASSERT_TRUE(object.ok());
  EXPECT_FALSE((*object)["spec"].contains("defaultErrnoRet"));
  expect_valid(*object, "v1");

  profile.default_errno_ret = 38;
  EXPECT_THAT(seccomp_profile_losses(profile),
              ElementsAre(HasSubstr("defaultErrnoRet 38 is dropped")));
}

TEST_F(SeccompProfileObjectTest, DockerDefaultLosesItsExtensionsWithWarnings) {
  const auto text = read_file(TAILOR_REFERENCE_DIR "/profiles/moby-default.json");
  ASSERT_TRUE(text.ok()) << text.error().message;
  const auto docker = decode_profile(*text, {.allow_unknown_names = true});
  ASSERT_TRUE(docker.ok()) << docker.error().message;
  const auto losses = seccomp_profile_losses(docker->profile);
  EXPECT_THAT(losses, ::testing::Contains(HasSubstr("archMap is dropped")));
  EXPECT_THAT(losses, ::testing::Contains(HasSubstr(
                          "(bpf, clone, clone3, fanotify_init and 22 more) is left out")));
  auto object = seccomp_profile_object(docker->profile, {.name = "docker-default"});
  ASSERT_TRUE(object.ok()) << object.error().message;
  expect_valid(*object, "v1");
  for (const auto& rule : (*object)["spec"]["syscalls"]) {
    EXPECT_FALSE(rule.contains("includes") || rule.contains("excludes") ||
                 rule.contains("comment"));
  }
}

TEST_F(SeccompProfileObjectTest, RefusesWhatTheApiServerWouldRefuseInOneLine) {
  struct Case {
    Profile profile;
    SpoObjectOptions options;
    std::string message;
  };
  Profile loongarch = names_only();
  loongarch.architectures = {"SCMP_ARCH_LOONGARCH64"};
  Profile huge = names_only();
  huge.syscalls[0].args = {{.index = 1, .value = 1ull << 63, .op = ArgOp::equal}};
  Profile empty_rule = names_only();
  empty_rule.syscalls.push_back({.names = {}, .action = Action::allow});
  const std::vector<Case> cases = {
      {names_only(), {.name = "My_Profile"}, "invalid SeccompProfile name \"My_Profile\""},
      {names_only(), {.name = ""}, "invalid SeccompProfile name \"\""},
      {names_only(), {.name = "x", .api_version = "v2"}, "unknown SeccompProfile version \"v2\""},
      {names_only(), {.name = "x", .namespace_name = "shop"}, "v1 is cluster-scoped"},
      {names_only(), {.name = "x", .api_version = "v1beta1"}, "v1beta1 is namespaced"},
      {names_only(),
       {.name = "x", .api_version = "v1beta1", .namespace_name = "a.b"},
       "invalid namespace \"a.b\""},
      {names_only(), {.name = "x", .labels = {{"a b", "c"}}}, "invalid label key \"a b\""},
      {names_only(), {.name = "x", .labels = {{"a", "c d"}}}, "invalid label value \"c d\""},
      {names_only(), {.name = "x", .annotations = {{"/", "c"}}}, "invalid annotation key prefix"},
      {loongarch,
       {.name = "x"},
       "architecture SCMP_ARCH_LOONGARCH64 cannot be in a SeccompProfile"},
      {huge, {.name = "x"}, "above 2^63-1"},
      {empty_rule, {.name = "x"}, "syscalls[1] names no syscall"},
  };
  for (const auto& c : cases) {
    const auto object = seccomp_profile_object(c.profile, c.options);
    ASSERT_FALSE(object.ok()) << c.message;
    EXPECT_THAT(object.error().message, HasSubstr(c.message));
    EXPECT_EQ(object.error().message.find('\n'), std::string::npos) << object.error().message;
  }
}

TEST_F(SeccompProfileObjectTest, ReadsSposExamplesAndRefusesOtherKinds) {
  const auto docs = load_yaml_file(TAILOR_REFERENCE_DIR "/spo/example-seccompprofile.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_FALSE(docs->empty());
  for (const auto& doc : *docs) {
    const auto decoded = profile_from_seccomp_profile(doc, {.allow_unknown_names = true});
    EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  }
  const auto runc = load_yaml_file(TAILOR_REFERENCE_DIR "/spo/baseprofile-runc.yaml");
  ASSERT_TRUE(runc.ok()) << runc.error().message;
  const auto base = profile_from_seccomp_profile(runc->at(0));
  ASSERT_TRUE(base.ok()) << base.error().message;
  EXPECT_FALSE(base->profile.syscalls.empty());

  const auto not_spo = profile_from_seccomp_profile(json{{"kind", "Pod"}, {"apiVersion", "v1"}});
  ASSERT_FALSE(not_spo.ok());
  EXPECT_THAT(not_spo.error().message, HasSubstr("not a SeccompProfile"));
  json bad_action = json::parse(*seccomp_profile_json(names_only(), {.name = "x"}));
  bad_action["spec"]["syscalls"][0]["action"] = "SCMP_ACT_MAYBE";
  const auto unknown = profile_from_seccomp_profile(bad_action);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown action \"SCMP_ACT_MAYBE\""));
  json with_base = json::parse(*seccomp_profile_json(names_only(), {.name = "x"}));
  with_base["spec"]["baseProfileName"] = "runc-v1.4.2";
  const auto warned = profile_from_seccomp_profile(with_base);
  ASSERT_TRUE(warned.ok()) << warned.error().message;
  EXPECT_THAT(warned->warnings,
              ElementsAre(HasSubstr("baseProfileName \"runc-v1.4.2\" is not followed")));
}

TEST_F(SeccompProfileObjectTest, KindOrApiVersionOfAnotherTypeIsNotASeccompProfile) {
  // Found by tailor_fuzz_seccomp_profile: "kind:" with nothing after it is null, and reading it
  // as a string threw out of profile_from_seccomp_profile.
  const auto docs = load_yaml_file(TAILOR_FUZZ_REGRESSIONS_DIR "/seccomp_profile/kind-null.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_EQ(docs->size(), 1u);
  const auto decoded = profile_from_seccomp_profile(docs->front());
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message, HasSubstr("not a SeccompProfile"));
  for (const json& object : {json{{"kind", "SeccompProfile"}, {"apiVersion", 1}},
                             json{{"kind", json::array()}, {"apiVersion", kSpoGroup}}}) {
    EXPECT_FALSE(profile_from_seccomp_profile(object).ok()) << object.dump();
  }
}

}  // namespace
}  // namespace tailor::common
