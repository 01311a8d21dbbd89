#include "common/k8s/yaml_json.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tailor::common
