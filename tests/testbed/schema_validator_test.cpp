#include "tests/support/k8s/schema_validator.h"

#include <gtest/gtest.h>

#include "common/k8s/yaml_json.h"
#include "tests/support/k8s/crd.h"
#include "tests/testbed/reference_data.h"

namespace tailor::testing {
namespace {

using common::yaml_documents_to_json;
using common::yaml_to_json;
using nlohmann::json;

class SpoSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto crd = load_crd_file(testbed::reference_dir() + "/spo/seccompprofile-crd.yaml");
    ASSERT_TRUE(crd) << crd.error().message;
    crd_ = *crd;
    ASSERT_NE(crd_.version("v1"), nullptr);
    validator_ = std::make_unique<SchemaValidator>(crd_.version("v1")->schema);
  }
  std::vector<FieldError> check(const std::string& yaml) {
    auto doc = yaml_to_json(yaml);
    EXPECT_TRUE(doc) << doc.error().message;
    return validator_->validate(*doc);
  }
  Crd crd_;
  std::unique_ptr<SchemaValidator> validator_;
};

TEST_F(SpoSchemaTest, ParsesTheCrd) {
  EXPECT_EQ(crd_.group, "security-profiles-operator.x-k8s.io");
  EXPECT_EQ(crd_.plural, "seccompprofiles");
  EXPECT_FALSE(crd_.namespaced);
  EXPECT_EQ(crd_.short_names, std::vector<std::string>{"sp"});
  ASSERT_EQ(crd_.versions.size(), 2u);
  EXPECT_EQ(crd_.versions[1].name, "v1beta1");
  EXPECT_EQ(crd_.version("v1")->printer_columns.at(0).json_path, ".status.status");
}

TEST_F(SpoSchemaTest, AcceptsEverySpoExample) {
  int seen = 0;
  for (const char* file :
       {"example-seccompprofile.yaml", "baseprofile-runc.yaml", "baseprofile-crun.yaml"}) {
    auto docs = load_yaml_file(testbed::reference_dir() + "/spo/" + file);
    ASSERT_TRUE(docs) << docs.error().message;
    for (auto& doc : *docs) {
      ++seen;
      EXPECT_EQ(validator_->prune(doc), std::vector<std::string>{}) << file;
      const auto errors = validator_->validate(doc);
      EXPECT_TRUE(errors.empty()) << file << ": " << join_field_errors(errors);
    }
  }
  EXPECT_EQ(seen, 6);
}

TEST_F(SpoSchemaTest, RejectsAnUnknownActionLikeTheApiServer) {
  const auto errors = check(R"(
spec:
  defaultAction: SCMP_ACT_ERRNO
  syscalls:
  - action: SCMP_ACT_MAYBE
    names: [read])");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "spec.syscalls[0].action");
  EXPECT_EQ(errors[0].reason(), "FieldValueNotSupported");
  EXPECT_EQ(errors[0].message(),
            "spec.syscalls[0].action: Unsupported value: \"SCMP_ACT_MAYBE\": supported values: "
            "\"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_KILL_THREAD\", "
            "\"SCMP_ACT_TRAP\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_TRACE\", \"SCMP_ACT_ALLOW\", "
            "\"SCMP_ACT_LOG\", \"SCMP_ACT_NOTIFY\"");
}

TEST_F(SpoSchemaTest, RejectsMissingNamesAndMissingSpec) {
  auto errors =
      check("spec:\n  defaultAction: SCMP_ACT_LOG\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message(), "spec.syscalls[0].names: Required value");
  errors = check("kind: SeccompProfile\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message(), "spec: Required value");
}

TEST_F(SpoSchemaTest, ChecksTypesCountsRangesPatternsAndSets) {
  const auto errors = check(R"(
spec:
  defaultAction: 7
  architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86_64]
  listenerPath: /tmp/agent.sock
  syscalls:
  - action: SCMP_ACT_ERRNO
    errnoRet: -1
    names: []
    args: [{index: 0, op: SCMP_CMP_EQ}, {index: 1, op: SCMP_CMP_EQ}, {index: 2, op: SCMP_CMP_EQ},
           {index: 3, op: SCMP_CMP_EQ}, {index: 4, op: SCMP_CMP_EQ}, {index: 5, op: SCMP_CMP_EQ},
           {index: 6, op: SCMP_CMP_EQ}])");
  std::vector<std::string> messages;
  for (const auto& e : errors) messages.push_back(e.message());
  EXPECT_EQ(
      messages,
      (std::vector<std::string>{
          "spec.architectures[1]: Duplicate value: \"SCMP_ARCH_X86_64\"",
          "spec.defaultAction: Invalid value: \"integer\": spec.defaultAction in body must be "
          "of type string: \"integer\"",
          "spec.listenerPath: Invalid value: \"/tmp/agent.sock\": spec.listenerPath in body "
          "should match '^/var/run/security-profiles-operator/[a-zA-Z0-9_\\-\\.]+$'",
          "spec.syscalls[0].args: Too many: 7: must have at most 6 items",
          "spec.syscalls[0].errnoRet: Invalid value: -1: spec.syscalls[0].errnoRet in body "
          "should be greater than or equal to 0",
          "spec.syscalls[0].names: Invalid value: 0: spec.syscalls[0].names in body should "
          "have at least 1 items"}));
}

TEST_F(SpoSchemaTest, PrunesUnknownFieldsAndAppliesDefaults) {
  auto doc = *yaml_to_json(R"(
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata: {name: x, labels: {a: b}}
spec: {defaultAction: SCMP_ACT_LOG, bogus: 1}
extra: true)");
  EXPECT_EQ(validator_->prune(doc), (std::vector<std::string>{"extra", "spec.bogus"}));
  validator_->apply_defaults(doc);
  EXPECT_EQ(doc["spec"]["state"], "Enabled");
  EXPECT_EQ(doc["metadata"]["labels"]["a"], "b");  // ObjectMeta is the server's, not pruned
}

TEST(SchemaValidatorTest, HandlesGeneralSchemas) {
  const SchemaValidator v(json::parse(R"({
    "type": "object",
    "properties": {
      "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 3}},
      "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
      "when": {"type": "string", "format": "date-time"},
      "port": {"x-kubernetes-int-or-string": true},
      "opt": {"type": "string", "nullable": true},
      "conds": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                "items": {"type": "object", "properties": {"type": {"type": "string"}}}}
    }})"));
  json doc = json::parse(R"({"labels": {"a": "abcd"}, "free": {"x": {"y": 1}}, "when": "yesterday",
                             "port": "http", "opt": null, "conds": [{"type": "A"}, {"type": "A"}]})");
  EXPECT_TRUE(v.prune(doc).empty());
  std::vector<std::string> messages;
  for (const auto& e : v.validate(doc)) messages.push_back(e.message());
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "conds[1]: Duplicate value: {\"type\":\"A\"}",
                          "labels.a: Too long: may not be more than 3 bytes",
                          "when: Invalid value: \"yesterday\": when in body must be of type "
                          "date-time: \"yesterday\""}));
}

TEST(YamlJsonTest, TypesPlainScalarsAndKeepsQuotedOnesStrings) {
  auto doc = yaml_to_json("a: 1\nb: \"1\"\nc: true\nd: 'True'\ne: ~\nf: 1.5\ng: |\n  x\n");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, json::parse(R"({"a":1,"b":"1","c":true,"d":"True","e":null,"f":1.5,"g":"x\n"})"));
  EXPECT_FALSE(yaml_to_json("a: [1\n"));
  auto docs = yaml_documents_to_json("---\na: 1\n---\n---\nb: 2\n");
  ASSERT_TRUE(docs);
  EXPECT_EQ(docs->size(), 2u);
}

}  // namespace
}  // namespace tailor::testing
