#include "common/k8s/yaml_json.h"

#include <gtest/gtest.h>

#include "common/util/file.h"

namespace tailor::common {
namespace {

using nlohmann::json;

TEST(JsonToYamlTest, ReadsBackUnchanged) {
  const json value = {
      {"plain", "security-profiles-operator.x-k8s.io/v1"},
      {"looks_typed", {"true", "False", "null", "~", "", "12", "0x1f", "1.5e3", "-7"}},
      {"typed", {true, false, nullptr, 0, -3, 1.5, 18446744073709551615ull}},
      {"text", "a: b # c\nsecond line"},
      {"empty", {{"list", json::array()}, {"map", json::object()}}},
      {"12", "numeric key"},
  };
  const auto back = yaml_to_json(json_to_yaml(value));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, value) << json_to_yaml(value);
}

TEST(JsonToYamlTest, WritesBlockStyle) {
  EXPECT_EQ(json_to_yaml(json{{"kind", "SeccompProfile"}, {"names", {"read", "write"}}}),
            "kind: SeccompProfile\nnames:\n  - read\n  - write\n");
}

TEST(YamlToJsonTest, RefusesStringsThatAreNotUtf8) {
  // Found by tailor_fuzz_seccomp_profile: a key's first byte is not UTF-8, and
  // profile_from_seccomp_profile threw (and killed tailor) when it serialised the spec.
  const auto text = read_file(TAILOR_FUZZ_REGRESSIONS_DIR "/seccomp_profile/key-not-utf8.yaml");
  ASSERT_TRUE(text.ok()) << text.error().message;
  const auto object = yaml_to_json(*text);
  ASSERT_FALSE(object.ok());
  EXPECT_NE(object.error().message.find("line 10"), std::string::npos) << object.error().message;
  EXPECT_NE(object.error().message.find("not UTF-8"), std::string::npos) << object.error().message;

  EXPECT_FALSE(yaml_to_json("name: caf\xe9"));
  EXPECT_FALSE(yaml_to_json("names: [\"read\", \"wr\xffite\"]"));
  const auto unicode = yaml_to_json("name: caf\xc3\xa9\nescaped: \"caf\\xe9\"");
  ASSERT_TRUE(unicode.ok()) << unicode.error().message;
  EXPECT_EQ(unicode->dump(), "{\"escaped\":\"caf\xc3\xa9\",\"name\":\"caf\xc3\xa9\"}");
}

TEST(YamlToJsonTest, EndsOnAFlowNodeFollowedByAComma) {
  // Found by tailor_fuzz_seccomp_profile: yaml-cpp 0.7 returned empty documents after "...]^A,"
  // forever, growing memory, so reading such a file never ended.
  const auto text =
      read_file(TAILOR_FUZZ_REGRESSIONS_DIR "/seccomp_profile/flow-node-then-comma.json");
  ASSERT_TRUE(text.ok()) << text.error().message;
  const auto object = yaml_to_json(*text);
  ASSERT_FALSE(object.ok());
  EXPECT_NE(object.error().message.find("line 1, column 191"), std::string::npos)
      << object.error().message;
  for (const char* stuck : {"[1],", "'a',", "\"a\",", "{a: 1},"}) EXPECT_FALSE(yaml_to_json(stuck));

  const auto docs = yaml_documents_to_json("---\na: [1]\n---\n---\nb: 'x'\n");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  EXPECT_EQ(docs->size(), 2u);
}

}  // namespace
}  // namespace tailor::common
