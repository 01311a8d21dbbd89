#include "agent/k8s/selection.h"

#include <gtest/gtest.h>

namespace tailor::agent {
namespace {

PodInfo pod(const std::string& ns, std::map<std::string, std::string> annotations = {}) {
  PodInfo p;
  p.ns = ns;
  p.name = "p";
  p.uid = "u";
  p.annotations = std::move(annotations);
  return p;
}

const std::map<std::string, std::string> kOptedIn = {{"tailor.dev/record", "true"}};
const std::map<std::string, std::string> kNotOptedIn = {{"tailor.dev/record", "yes"}};

TEST(Selection, NamespaceLabelOptsIn) {
  const SelectionConfig config;
  EXPECT_EQ(select_pod(pod("shop"), kOptedIn, config), Selection::kRecord);
  EXPECT_EQ(select_pod(pod("shop"), {}, config), Selection::kNotOptedIn);
  EXPECT_EQ(select_pod(pod("shop"), kNotOptedIn, config), Selection::kNotOptedIn);
}

TEST(Selection, PodAnnotationOptsInAndOut) {
  const SelectionConfig config;
  EXPECT_EQ(select_pod(pod("shop", {{kRecordKey, "true"}}), {}, config), Selection::kRecord);
  EXPECT_EQ(select_pod(pod("shop", {{kRecordKey, "false"}}), kOptedIn, config),
            Selection::kOptedOut);
  // Any other value leaves the decision to the namespace.
  EXPECT_EQ(select_pod(pod("shop", {{kRecordKey, "maybe"}}), kOptedIn, config), Selection::kRecord);
}

TEST(Selection, ExcludedNamespacesAreNeverRecorded) {
  SelectionConfig config;
  EXPECT_EQ(select_pod(pod("kube-system", {{kRecordKey, "true"}}), kOptedIn, config),
            Selection::kExcludedNamespace);
  EXPECT_EQ(select_pod(pod("tailor"), kOptedIn, config), Selection::kExcludedNamespace);
  config.excluded_namespaces = {"tailor-system"};
  EXPECT_EQ(select_pod(pod("tailor"), kOptedIn, config), Selection::kRecord);
  EXPECT_EQ(select_pod(pod("tailor-system"), kOptedIn, config), Selection::kExcludedNamespace);
}

}  // namespace
}  // namespace tailor::agent
