#include "common/k8s/client/cluster_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tailor::common {
namespace {

namespace fs = std::filesystem;

class ClusterConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tailor-config-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
};

TEST_F(ClusterConfigTest, InClusterReadsTheServiceAccountVolume) {
  write("ca.crt", "PEM");
  write("token", "tok\n");
  write("namespace", "tailor\n");
  auto config = in_cluster_config({"10.96.0.1", "443", dir_.string()});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_pem, "PEM");
  EXPECT_EQ(config->token_file, (dir_ / "token").string());
  EXPECT_EQ(config->ns, "tailor");
  EXPECT_EQ(in_cluster_config({"fd00::1", "443", dir_.string()})->server, "https://[fd00::1]:443");
}

TEST_F(ClusterConfigTest, InClusterWithoutEnvironmentOrVolumeIsAnError) {
  auto no_env = in_cluster_config({"", "", dir_.string()});
  ASSERT_FALSE(no_env);
  EXPECT_NE(no_env.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
  auto no_volume = in_cluster_config({"10.96.0.1", "443", (dir_ / "missing").string()});
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
  write("ca.pem", "CA FILE");
  const auto path = write("config", kKubeconfig);
  auto config = load_kubeconfig(path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, "CA FILE");  // relative to the kubeconfig
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->token, "secret");
  EXPECT_EQ(config->ns, "team-a");
}

TEST_F(ClusterConfigTest, KubeconfigNamedContextWithCaDataAndTokenFile) {
  const auto path = write("config", kKubeconfig);
  auto config = load_kubeconfig(path, "prod");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->ca_pem, "PEM DATA");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->token_file, (dir_ / "robot.token").string());
}

TEST_F(ClusterConfigTest, KubeconfigErrorsNameTheProblem) {
  const auto path = write("config", kKubeconfig);
  const auto message = [&](const std::string& context) {
    auto config = load_kubeconfig(path, context);
    return config ? std::string("ok") : config.error().message;
  };
  EXPECT_NE(message("nope").find("no context named 'nope'"), std::string::npos);
  EXPECT_NE(message("broken").find("cluster 'nowhere'"), std::string::npos);
  EXPECT_NE(message("cert").find("client-certificate-data"), std::string::npos);
  EXPECT_FALSE(load_kubeconfig((dir_ / "missing").string()));
  EXPECT_FALSE(load_kubeconfig(write("bad", "clusters: 3\ncurrent-context: [x]\n")));
}

}  // namespace
}  // namespace tailor::common
