#include "common/reference/reference_profiles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/profile/oci.h"
#include "common/util/file.h"
#include "common/util/strings.h"
#include "tests/common/reference/go_profile_source.h"
#include "tests/common/testing/error_of.h"

namespace tailor::common {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::map<std::string, std::string> kFiles = {
    {"docker-default", "moby-default.json"},
    {"containerd-default", "containerd-default.json"},
    {"crio-default", "crio-default.json"}};

std::string reference_file(const std::string& name) {
  const auto text = read_file(TAILOR_REFERENCE_DIR "/" + name);
  // A missing file is missing reference data: the test fails naming it.
  EXPECT_TRUE(text.ok()) << text.error().message;
  return text.ok() ? *text : "";
}

TEST(ReferenceProfilesTest, BuiltInCopiesAreTheFilesInDataReference) {
  ASSERT_EQ(reference_profiles().size(), kFiles.size());
  for (const auto& profile : reference_profiles()) {
    SCOPED_TRACE(std::string(profile.name));
    ASSERT_TRUE(kFiles.contains(std::string(profile.name)));
    EXPECT_EQ(profile.text, reference_file("profiles/" + kFiles.at(std::string(profile.name))));
    const auto decoded = decode_profile(std::string(profile.text), {.allow_unknown_names = true});
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->profile.default_action, Action::return_errno);
  }
}

// The version shown to users is the commit data/reference/README.md records for the file.
TEST(ReferenceProfilesTest, VersionsAreTheReadmes) {
  const std::string readme = reference_file("README.md");
  for (const auto& profile : reference_profiles()) {
    SCOPED_TRACE(std::string(profile.name));
    const std::string file = kFiles.at(std::string(profile.name));
    const auto row = readme.find("| `" + file + "` |");
    ASSERT_NE(row, std::string::npos) << file << " has no row in data/reference/README.md";
    const std::string line = readme.substr(row, readme.find('\n', row) - row);
    EXPECT_THAT(line, HasSubstr("commit " + std::string(profile.version)));
    EXPECT_THAT(line, HasSubstr(std::string(profile.upstream)));
    EXPECT_EQ(profile.version.size(), 8u);
  }
  EXPECT_EQ(reference_profile("docker-default")->source(), "moby/profiles cd3bed80");
}

TEST(ReferenceProfilesTest, UnknownNameListsTheKnownOnes) {
  EXPECT_EQ(testing::error_of(reference_profile("podman-default")),
            "unknown default profile \"podman-default\"; known: docker-default, "
            "containerd-default, crio-default");
}

// One line per (rule condition, action, arguments, name): what the transcription must keep.
using RuleLines = std::multiset<std::string>;

std::string list(const std::set<std::string>& items) {
  return join(std::vector<std::string>(items.begin(), items.end()), ",");
}

std::string rule_line(const testing::GoRule& rule, const std::string& name) {
  std::string args;
  for (const auto& arg : rule.args) {
    args += " arg" + std::to_string(arg.index) + " " + arg.op + " " + std::to_string(arg.value) +
            "/" + std::to_string(arg.value_two);
  }
  return "includes(arches=" + list(rule.include_arches) + " caps=" + list(rule.include_caps) +
         " minKernel=" + rule.min_kernel + ") excludes(arches=" + list(rule.exclude_arches) +
         " caps=" + list(rule.exclude_caps) + ") " + rule.action +
         (rule.errno_ret ? "(" + std::to_string(*rule.errno_ret) + ")" : "") + args + ": " + name;
}

RuleLines lines_of(const std::vector<testing::GoRule>& rules) {
  RuleLines out;
  for (const auto& rule : rules) {
    for (const auto& name : rule.names) out.insert(rule_line(rule, name));
  }
  return out;
}

std::set<std::string> strings(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return {};
  const auto items = object.at(key).get<std::vector<std::string>>();
  return {items.begin(), items.end()};
}

// The JSON's rules in the Go reader's terms, so the two compare line for line.
std::vector<testing::GoRule> rules_of(const json& profile) {
  std::vector<testing::GoRule> out;
  for (const auto& entry : profile.at("syscalls")) {
    testing::GoRule rule;
    rule.names = entry.at("names").get<std::vector<std::string>>();
    rule.action = entry.at("action").get<std::string>();
    if (entry.contains("errnoRet")) rule.errno_ret = entry.at("errnoRet").get<uint32_t>();
    for (const auto& arg : entry.value("args", json::array())) {
      rule.args.push_back({arg.at("index").get<uint32_t>(), arg.at("value").get<uint64_t>(),
                           arg.value("valueTwo", uint64_t{0}), arg.at("op").get<std::string>()});
    }
    const json includes = entry.value("includes", json::object());
    const json excludes = entry.value("excludes", json::object());
    rule.include_arches = strings(includes, "arches");
    rule.include_caps = strings(includes, "caps");
    rule.min_kernel = includes.value("minKernel", "");
    rule.exclude_arches = strings(excludes, "arches");
    rule.exclude_caps = strings(excludes, "caps");
    out.push_back(std::move(rule));
  }
  return out;
}

class ContainerdTranscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto go =
        testing::read_go_profile(reference_file("profiles/containerd-seccomp_default.go.txt"));
    ASSERT_TRUE(go.ok()) << go.error().message;
    go_ = std::move(*go);
    json_ = json::parse(reference_profile("containerd-default")->text);
  }

  testing::GoProfile go_;
  json json_;
};

TEST_F(ContainerdTranscriptionTest, EveryRuleAndNameOfTheGoSourceAndNoOther) {
  const RuleLines from_go = lines_of(go_.rules);
  ASSERT_GT(from_go.size(), 400u) << "the Go reader missed most of the source";
  const RuleLines from_json = lines_of(rules_of(json_));
  std::vector<std::string> missing, extra;
  std::set_difference(from_go.begin(), from_go.end(), from_json.begin(), from_json.end(),
                      std::back_inserter(missing));
  std::set_difference(from_json.begin(), from_json.end(), from_go.begin(), from_go.end(),
                      std::back_inserter(extra));
  EXPECT_THAT(missing, ::testing::IsEmpty()) << "in the Go source, not in the JSON";
  EXPECT_THAT(extra, ::testing::IsEmpty()) << "in the JSON, not in the Go source";
}

TEST_F(ContainerdTranscriptionTest, ArchitecturesAndDefaultActionAreTheGoSources) {
  EXPECT_EQ(json_.at("defaultAction"), go_.default_action);
  std::set<std::set<std::string>> arch_sets;
  for (const auto& entry : json_.at("archMap")) {
    std::set<std::string> arches = {entry.at("architecture").get<std::string>()};
    if (entry.at("subArchitectures").is_array()) {
      for (const auto& sub : entry.at("subArchitectures")) arches.insert(sub.get<std::string>());
    }
    arch_sets.insert(arches);
  }
  EXPECT_EQ(arch_sets, go_.arch_sets);
  EXPECT_TRUE(go_.arch_sets.contains({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
}

// The comparison above sees a name moved to another capability, a lost argument and a dropped
// name: it cannot pass on a wrong transcription.
TEST_F(ContainerdTranscriptionTest, ComparisonCatchesAWrongTranscription) {
  const RuleLines from_go = lines_of(go_.rules);
  const auto mutated = [&](const std::function<void(json&)>& change) {
    json copy = json_;
    change(copy);
    return lines_of(rules_of(copy));
  };
  EXPECT_NE(mutated([](json& p) { p["syscalls"][0]["names"].erase(0); }), from_go);
  EXPECT_NE(mutated([](json& p) {
              for (auto& rule : p["syscalls"])
                if (rule.contains("includes") && rule["includes"].contains("caps") &&
                    rule["includes"]["caps"][0] == "CAP_SYS_BOOT")
                  rule["includes"]["caps"][0] = "CAP_SYS_TIME";
            }),
            from_go);
  EXPECT_NE(mutated([](json& p) { p["syscalls"][1].erase("args"); }), from_go);
}

}  // namespace
}  // namespace tailor::common
