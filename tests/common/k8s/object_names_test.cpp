#include "common/k8s/object_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

namespace tailor::common {
namespace {

using ::testing::HasSubstr;

TEST(ObjectNamesTest, SubdomainAcceptsWhatTheApiServerAccepts) {
  for (const char* name : {"a", "curl", "web-1", "nginx.v2", "0abc"}) {
    EXPECT_TRUE(check_dns1123_subdomain(name, "name").ok()) << name;
  }
  EXPECT_TRUE(check_dns1123_subdomain(std::string(253, 'a'), "name").ok());
}

TEST(ObjectNamesTest, SubdomainRefusesOthersInOneLine) {
  for (const char* name : {"", "Curl", "-a", "a-", "a..b", "a_b", "a/b"}) {
    const auto status = check_dns1123_subdomain(name, "SeccompProfile name");
    ASSERT_FALSE(status.ok()) << name;
    EXPECT_THAT(status.error().message,
                HasSubstr("invalid SeccompProfile name \"" + std::string(name) + "\""));
    EXPECT_EQ(status.error().message.find('\n'), std::string::npos);
  }
  EXPECT_FALSE(check_dns1123_subdomain(std::string(254, 'a'), "name").ok());
}

TEST(ObjectNamesTest, LabelRefusesDotsAndLength) {
  EXPECT_TRUE(check_dns1123_label("kube-system", "namespace").ok());
  EXPECT_FALSE(check_dns1123_label("a.b", "namespace").ok());
  EXPECT_FALSE(check_dns1123_label(std::string(64, 'a'), "namespace").ok());
}

TEST(ObjectNamesTest, QualifiedNamesTakeAnOptionalPrefix) {
  for (const char* key : {"app", "app.kubernetes.io/name", "Tier_1", "example.com/a.b"}) {
    EXPECT_TRUE(check_qualified_name(key, "label key").ok()) << key;
  }
  for (const char* key : {"", "/a", "Example.com/a", "a/", "-a", "a b"}) {
    EXPECT_FALSE(check_qualified_name(key, "label key").ok()) << key;
  }
}

TEST(ObjectNamesTest, LabelValuesMayBeEmpty) {
  EXPECT_TRUE(check_label_value("", "label value").ok());
  EXPECT_TRUE(check_label_value("v1.2_x", "label value").ok());
  EXPECT_FALSE(check_label_value("a b", "label value").ok());
  EXPECT_FALSE(check_label_value(std::string(64, 'a'), "label value").ok());
}

// The checks are hand-written; apimachinery states the rules as these regular expressions.
// Every string of up to 5 characters from an alphabet with one character of each class
// (and random longer ones) gets the same answer from both.
TEST(ObjectNamesTest, HandWrittenChecksMatchApimachinerysPatterns) {
  const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  const std::regex subdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  const std::regex qualified("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  const std::string alphabet = "aZ0-_./ ";
  auto agree = [&](const std::string& text) {
    EXPECT_EQ(check_dns1123_label(text, "x").ok(), std::regex_match(text, label)) << text;
    EXPECT_EQ(check_dns1123_subdomain(text, "x").ok(), std::regex_match(text, subdomain)) << text;
    EXPECT_EQ(check_label_value(text, "x").ok(), text.empty() || std::regex_match(text, qualified))
        << text;
  };
  std::vector<std::string> texts = {""};
  for (std::size_t begin = 0, length = 0; length < 5; ++length) {
    const std::size_t end = texts.size();
    for (std::size_t i = begin; i < end; ++i)
      for (const char c : alphabet) texts.push_back(texts[i] + c);
    begin = end;
  }
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    std::string text(1 + random() % 40, 'a');
    for (char& c : text) c = "abz09-.._"[random() % 9];
    texts.push_back(text);
  }
  for (const auto& text : texts) agree(text);
  EXPECT_EQ(texts.size(), 37449u + 2000u);  // 8^0 + ... + 8^5, and the random ones
}

TEST(ObjectNamesTest, SanitizesToAValidSubdomain) {
  EXPECT_EQ(to_dns1123_subdomain("Python3.11"), "python3.11");
  EXPECT_EQ(to_dns1123_subdomain("my_app  server"), "my-app-server");
  EXPECT_EQ(to_dns1123_subdomain("--x..y--"), "x.y");
  EXPECT_EQ(to_dns1123_subdomain("___"), "");
  const std::string long_name = to_dns1123_subdomain(std::string(300, 'a') + "-");
  EXPECT_EQ(long_name.size(), 253u);
  for (const char* text : {"Python3.11", "my_app  server", "--x..y--", "a.-b", "ÄÖ-x"}) {
    EXPECT_TRUE(check_dns1123_subdomain(to_dns1123_subdomain(text), "name").ok()) << text;
  }
}

}  // namespace
}  // namespace tailor::common
