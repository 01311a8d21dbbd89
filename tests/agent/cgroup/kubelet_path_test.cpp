#include "agent/cgroup/kubelet_path.h"

#include <gtest/gtest.h>

namespace tailor::agent {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kUid = "3f1c2a8e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
const std::string kUidUnderscores = "3f1c2a8e_5b6d_4e7f_8a9b_0c1d2e3f4a5b";

struct PathCase {
  std::string path;
  std::optional<KubeletCgroup> expected;
};

class KubeletPathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(KubeletPathTest, Parses) {
  const auto& c = GetParam();
  EXPECT_EQ(parse_kubelet_cgroup(c.path), c.expected) << c.path;
}

KubeletCgroup at(PodQos qos, std::string id = kId) { return {kUid, std::move(id), qos}; }

INSTANTIATE_TEST_SUITE_P(
    Cgroupfs, KubeletPathTest,
    ::testing::Values(
        PathCase{"/kubepods/pod" + kUid + "/" + kId, at(PodQos::kGuaranteed)},
        PathCase{"/kubepods/burstable/pod" + kUid + "/" + kId, at(PodQos::kBurstable)},
        PathCase{"/kubepods/besteffort/pod" + kUid + "/" + kId, at(PodQos::kBestEffort)},
        PathCase{"/kubepods/besteffort/pod" + kUid + "/crio-" + kId, at(PodQos::kBestEffort)},
        PathCase{"/kubepods/besteffort/pod" + kUid, at(PodQos::kBestEffort, "")},
        // Nested cgroups belong to their container; a node prefix is tolerated.
        PathCase{"/kubepods/pod" + kUid + "/" + kId + "/init.scope/a", at(PodQos::kGuaranteed)},
        PathCase{"/tailor-testbed-1-0/node-a/kubepods/burstable/pod" + kUid + "/" + kId,
                 at(PodQos::kBurstable)},
        // A static pod's UID is a 32-digit hash.
        PathCase{"/kubepods/pod0123456789abcdef0123456789abcdef/" + kId,
                 KubeletCgroup{"0123456789abcdef0123456789abcdef", kId, PodQos::kGuaranteed}}));

INSTANTIATE_TEST_SUITE_P(
    Systemd, KubeletPathTest,
    ::testing::Values(PathCase{"/kubepods.slice/kubepods-pod" + kUidUnderscores +
                                   ".slice/cri-containerd-" + kId + ".scope",
                               at(PodQos::kGuaranteed)},
                      PathCase{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                                   kUidUnderscores + ".slice/crio-" + kId + ".scope",
                               at(PodQos::kBurstable)},
                      PathCase{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                                   kUidUnderscores + ".slice/docker-" + kId + ".scope",
                               at(PodQos::kBestEffort)},
                      PathCase{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                                   kUidUnderscores + ".slice",
                               at(PodQos::kBestEffort, "")},
                      PathCase{"/node-b/kubepods.slice/kubepods-pod" + kUidUnderscores +
                                   ".slice/cri-containerd-" + kId + ".scope/nested",
                               at(PodQos::kGuaranteed)}));

INSTANTIATE_TEST_SUITE_P(
    NotContainers, KubeletPathTest,
    ::testing::Values(
        PathCase{"/", std::nullopt}, PathCase{"/kubepods", std::nullopt},
        PathCase{"/kubepods/burstable", std::nullopt},
        PathCase{"/kubepods.slice/kubepods-burstable.slice", std::nullopt},
        PathCase{"/system.slice/containerd.service", std::nullopt},
        PathCase{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                     kUidUnderscores + ".slice/crio-conmon-" + kId + ".scope",
                 std::nullopt},
        // The pod slice must sit in the QoS slice its name claims.
        PathCase{"/kubepods.slice/kubepods-burstable.slice/kubepods-besteffort-pod" +
                     kUidUnderscores + ".slice",
                 std::nullopt},
        PathCase{"/kubepods/besteffort/podnot-a-uid/" + kId, std::nullopt},
        PathCase{"/kubepods/besteffort/pod" + kUid + "/not-a-container", std::nullopt},
        PathCase{"/kubepods/besteffort/pod" + kUid + "/" + kId.substr(1), std::nullopt}));

TEST(QosName, NamesEachClass) {
  EXPECT_EQ(qos_name(PodQos::kGuaranteed), "guaranteed");
  EXPECT_EQ(qos_name(PodQos::kBurstable), "burstable");
  EXPECT_EQ(qos_name(PodQos::kBestEffort), "besteffort");
}

}  // namespace
}  // namespace tailor::agent
