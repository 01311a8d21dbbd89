#include "common/util/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace tailor::common {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseJsonTest, ParsesDocuments) {
  EXPECT_EQ(parse_json(R"({"a": [1, 2]})").value()["a"][1], 2);
}

TEST(ParseJsonTest, ReportsWhereTheTextIsBroken) {
  const auto parsed = parse_json("{\"a\": }");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.error().message, HasSubstr("not valid JSON: parse error at line 1"));
  EXPECT_THAT(parsed.error().message, Not(HasSubstr("json.exception")));
}

TEST(JsonObjectReaderTest, ReadsTypedFields) {
  const json value = json::parse(R"({"s": "x", "u32": 4294967295, "u64": 18446744073709551615,
                                     "i64": -5, "i": 7, "list": ["a", "b"]})");
  JsonObjectReader reader(value, "root");
  EXPECT_EQ(reader.required<std::string>("s"), "x");
  EXPECT_EQ(reader.required<uint32_t>("u32"), 4294967295u);
  EXPECT_EQ(reader.required<uint64_t>("u64"), 18446744073709551615u);
  EXPECT_EQ(reader.required<int64_t>("i64"), -5);
  EXPECT_EQ(reader.required<int>("i"), 7);
  EXPECT_THAT(reader.required<std::vector<std::string>>("list"), ElementsAre("a", "b"));
  EXPECT_TRUE(reader.ok());
}

TEST(JsonObjectReaderTest, OptionalFieldsMayBeAbsentOrNull) {
  const json value = json::parse(R"({"present": 3, "null": null})");
  JsonObjectReader reader(value, "");
  EXPECT_EQ(reader.optional<uint64_t>("present"), 3u);
  EXPECT_EQ(reader.optional<uint64_t>("null"), std::nullopt);
  EXPECT_EQ(reader.optional<std::string>("absent"), std::nullopt);
  EXPECT_EQ(reader.optional_object("absent"), nullptr);
  EXPECT_TRUE(reader.ok());
}

TEST(JsonObjectReaderTest, MissingRequiredFieldNamesItsPath) {
  const json value = json::object();
  JsonObjectReader reader(value, "recording");
  reader.required<std::string>("hostname");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message, "recording.hostname: missing");
}

TEST(JsonObjectReaderTest, NullRequiredFieldIsMissing) {
  const json value = json::parse(R"({"a": null})");
  JsonObjectReader reader(value, "");
  reader.required<std::string>("a");
  EXPECT_EQ(reader.error().message, "a: missing");
}

TEST(JsonObjectReaderTest, RejectsMistypedAndOutOfRangeValues) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"f": "1"})", "f: expected an integer from 0 to 4294967295"},
      {R"({"f": -1})", "f: expected an integer from 0 to 4294967295"},
      {R"({"f": 4294967296})", "f: expected an integer from 0 to 4294967295"},
      {R"({"f": 1.5})", "f: expected an integer from 0 to 4294967295"},
  };
  for (const auto& [text, message] : cases) {
    const json value = json::parse(text);
    JsonObjectReader reader(value, "");
    reader.required<uint32_t>("f");
    ASSERT_FALSE(reader.ok()) << text;
    EXPECT_EQ(reader.error().message, message);
  }

  const json big = json::parse(R"({"f": 9223372036854775808})");
  JsonObjectReader signed_reader(big, "");
  signed_reader.required<int64_t>("f");
  EXPECT_THAT(signed_reader.error().message, HasSubstr("expected an integer from"));

  const json list = json::parse(R"({"f": ["a", 1]})");
  JsonObjectReader list_reader(list, "x");
  list_reader.required<std::vector<std::string>>("f");
  EXPECT_EQ(list_reader.error().message,
            "x.f: expected an array of strings, element 1 is not a string");
}

TEST(JsonObjectReaderTest, KeepsTheFirstProblem) {
  const json value = json::parse(R"({"a": 1})");
  JsonObjectReader reader(value, "");
  EXPECT_EQ(reader.required<std::string>("a"), "");
  reader.required<std::string>("b");
  reader.fail("c", "bad");
  EXPECT_EQ(reader.error().message, "a: expected a string");
}

TEST(JsonObjectReaderTest, RejectsNonObjects) {
  const json value = json::array();
  JsonObjectReader reader(value, "syscalls[0]");
  EXPECT_EQ(reader.error().message, "syscalls[0]: expected an object, found array");
}

TEST(JsonObjectReaderTest, NestedValuesMustHaveTheirType) {
  const json value = json::parse(R"({"o": [], "a": {}})");
  JsonObjectReader objects(value, "");
  EXPECT_EQ(objects.required_object("o"), nullptr);
  EXPECT_EQ(objects.error().message, "o: expected an object");
  JsonObjectReader arrays(value, "");
  EXPECT_EQ(arrays.optional_array("a"), nullptr);
  EXPECT_EQ(arrays.error().message, "a: expected an array");
  JsonObjectReader missing(value, "");
  EXPECT_EQ(missing.required_array("absent"), nullptr);
  EXPECT_EQ(missing.error().message, "absent: missing");
}

TEST(JsonObjectReaderTest, ElementProblemsCarryTheFullPathAndStopTheLoop) {
  const json value = json::parse(R"({"rule": {"args": [{"nr": 1}, {"nr": "x"}, {"nr": "y"}]}})");
  JsonObjectReader root(value, "");
  JsonObjectReader rule(*root.required_object("rule"), root.path_of("rule"));
  std::vector<uint32_t> read;
  rule.required_elements(
      "args", [&](JsonObjectReader& arg) { read.push_back(arg.required<uint32_t>("nr")); });
  EXPECT_THAT(read, ElementsAre(1u, 0u)) << "nothing after the first problem";
  ASSERT_FALSE(rule.ok());
  EXPECT_THAT(rule.error().message, HasSubstr("rule.args[1].nr: expected an integer"));
}

TEST(JsonObjectReaderTest, AbsentElementsAreNoneOrMissing) {
  const json value = json::parse(R"({"other": 1})");
  JsonObjectReader optional(value, "");
  int calls = 0;
  optional.optional_elements("args", [&](JsonObjectReader&) { ++calls; });
  EXPECT_TRUE(optional.ok());
  JsonObjectReader required(value, "");
  required.required_elements("args", [&](JsonObjectReader&) { ++calls; });
  EXPECT_EQ(required.error().message, "args: missing");
  EXPECT_EQ(calls, 0);
}

TEST(JsonObjectReaderTest, CallerFoundProblemsUseTheFieldPath) {
  const json value = json::parse(R"({"arch": "vax"})");
  JsonObjectReader reader(value, "syscalls[2]");
  reader.fail("arch", "unknown architecture \"vax\"");
  EXPECT_EQ(reader.error().message, "syscalls[2].arch: unknown architecture \"vax\"");
}

}  // namespace
}  // namespace tailor::common
