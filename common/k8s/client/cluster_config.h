#pragma once

#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// Where the API server is and how to trust and authenticate to it, as
// client-go reads it from a pod's service account or from a kubeconfig file.
struct ClusterConfig {
  std::string server;  // https://host:port, optionally with a path prefix
  std::string ca_pem;  // the CAs that sign the server's certificate; empty: system CAs
  bool insecure_skip_tls_verify = false;
  std::string token;       // a fixed bearer token
  std::string token_file;  // a bearer token re-read as it rotates; wins over `token`
  std::string ns;          // the default namespace (in a pod: its own)
};

// What a pod sees of its service account: the API server's address from the
// environment and the projected volume. Injectable so tests need no pod.
struct InClusterEnvironment {
  std::string host;  // KUBERNETES_SERVICE_HOST
  std::string port;  // KUBERNETES_SERVICE_PORT
  std::string secrets_dir = "/var/run/secrets/kubernetes.io/serviceaccount";

  static InClusterEnvironment from_process();
};

// In-cluster configuration: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT,
// ca.crt, the token file (re-read by the client) and the pod's namespace.
Result<ClusterConfig> in_cluster_config(const InClusterEnvironment& env);

// The cluster and user of `context` (empty: current-context) in a kubeconfig
// file: server, certificate-authority(-data), insecure-skip-tls-verify, token
// or tokenFile, and the context's namespace. Relative paths are relative to
// the file. Client certificates and exec plugins are refused with a message.
Result<ClusterConfig> load_kubeconfig(const std::string& path, const std::string& context = "");
// The same of a kubeconfig's text; `path` names it in errors and anchors relative paths.
Result<ClusterConfig> parse_kubeconfig(std::string_view text, const std::string& path,
                                       const std::string& context = "");

// The file `kubeconfig` names when it is not empty (a --kubeconfig flag); else in-cluster when
// KUBERNETES_SERVICE_HOST is set, otherwise the first file of $KUBECONFIG or ~/.kube/config.
Result<ClusterConfig> default_cluster_config(const std::string& kubeconfig = "");

}  // namespace tailor::common
