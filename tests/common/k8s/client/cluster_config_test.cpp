#include "common/k8s/client/cluster_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/common/testing/temp_dir.h"

namespace tailor::common {
namespace {

class ClusterConfigTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(ClusterConfigTest, InClusterReadsTheServiceAccountVolume) {
  dir_.write("ca.crt", "PEM");
  dir_.write("token", "tok\n");
  dir_.write("namespace", "tailor\n");
  auto config = in_cluster_config({"10.96.0.1", "443", dir_.path().string()});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_pem, "PEM");
  EXPECT_EQ(config->token_file, dir_.file("token"));
  EXPECT_EQ(config->ns, "tailor");
  EXPECT_EQ(in_cluster_config({"fd00::1", "443", dir_.path().string()})->server,
            "https://[fd00::1]:443");
}

TEST_F(ClusterConfigTest, InClusterWithoutEnvironmentOrVolumeIsAnError) {
  auto no_env = in_cluster_config({"", "", dir_.path().string()});
  ASSERT_FALSE(no_env);
  EXPECT_NE(no_env.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
  auto no_volume = in_cluster_config({"10.96.0.1", "443", dir_.file("missing")});
  ASSERT_FALSE(no_volume);
  EXPECT_NE(no_volume.error().message.find("ca.crt"), std::string::npos);
}

constexpr const char* kKubeconfig = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: UEVNIERBVEE=
- name: dev
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: ca.pem
    insecure-skip-tls-verify: true
users:
- name: alice
  user:
    token: secret
- name: robot
  user:
    tokenFile: robot.token
- name: cert
  user:
    client-certificate-data: QUJD
contexts:
- name: dev
  context: {cluster: dev, user: alice, namespace: team-a}
- name: prod
  context: {cluster: prod, user: robot}
- name: cert
  context: {cluster: prod, user: cert}
- name: broken
  context: {cluster: nowhere, user: alice}
)";

TEST_F(ClusterConfigTest, KubeconfigCurrentContext) {
  dir_.write("ca.pem", "CA FILE");
  const auto path = dir_.write("config", kKubeconfig);
  auto config = load_kubeconfig(path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "CA FILE");  // relative to the kubeconfig
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->token, "secret");
  EXPECT_EQ(config->ns, "team-a");
}

// A --kubeconfig flag wins over the pod's environment, which would otherwise choose in-cluster.
TEST_F(ClusterConfigTest, AGivenKubeconfigComesBeforeInCluster) {
  dir_.write("ca.pem", "CA FILE");
  const auto path = dir_.write("config", kKubeconfig);
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const std::string saved = host ? host : "";
  ::setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  auto given = default_cluster_config(path);
  auto in_cluster = default_cluster_config();
  host ? ::setenv("KUBERNETES_SERVICE_HOST", saved.c_str(), 1)
       : ::unsetenv("KUBERNETES_SERVICE_HOST");
  ASSERT_TRUE(given) << given.error().message;
  EXPECT_EQ(given->server, "https://127.0.0.1:6443");
  ASSERT_FALSE(in_cluster) << "no service-account volume here";
  const auto missing = default_cluster_config((dir_.path() / "missing").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos) << missing.error().message;
}

TEST_F(ClusterConfigTest, KubeconfigNamedContextWithCaDataAndTokenFile) {
  const auto path = dir_.write("config", kKubeconfig);
  auto config = load_kubeconfig(path, "prod");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->ca_pem, "PEM DATA");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->token_file, dir_.file("robot.token"));
}

TEST_F(ClusterConfigTest, KubeconfigErrorsNameTheProblem) {
  const auto path = dir_.write("config", kKubeconfig);
  const auto message = [&](const std::string& context) {
    auto config = load_kubeconfig(path, context);
    return config ? std::string("ok") : config.error().message;
  };
  EXPECT_NE(message("nope").find("no context named 'nope'"), std::string::npos);
  EXPECT_NE(message("broken").find("cluster 'nowhere'"), std::string::npos);
  EXPECT_NE(message("cert").find("client-certificate-data"), std::string::npos);
  EXPECT_FALSE(load_kubeconfig(dir_.file("missing")));
  EXPECT_FALSE(load_kubeconfig(dir_.write("bad", "clusters: 3\ncurrent-context: [x]\n")));
}

}  // namespace
}  // namespace tailor::common
