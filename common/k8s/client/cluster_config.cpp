#include "common/k8s/client/cluster_config.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>

#include "common/k8s/yaml_json.h"
#include "common/util/file.h"
#include "common/util/strings.h"

namespace tailor::common {
namespace {

using nlohmann::json;

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

Result<std::string> decode_base64(const std::string& text) {
  std::string compact;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') compact += c;
  }
  if (compact.size() % 4 != 0) return make_error("not base64: the length is not a multiple of 4");
  std::string out(compact.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  if (n < 0) return make_error("not base64");
  // EVP_DecodeBlock counts the padding as decoded zero bytes.
  size_t padding = 0;
  for (auto it = compact.rbegin(); it != compact.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

// The entry `name` of a kubeconfig list (clusters, users, contexts).
const json* named_entry(const json& config, const std::string& list, const std::string& name,
                        const std::string& field) {
  const auto it = config.find(list);
  if (it == config.end() || !it->is_array()) return nullptr;
  for (const auto& entry : *it) {
    if (entry.is_object() && entry.value("name", "") == name && entry.contains(field) &&
        entry[field].is_object()) {
      return &entry[field];
    }
  }
  return nullptr;
}

std::string resolve(const std::string& path, const std::filesystem::path& base) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (base / path).string();
}

Result<ClusterConfig> config_from_kubeconfig(const json& doc, const std::string& path,
                                             const std::string& wanted_context) {
  const std::string where = "kubeconfig " + path;
  if (!doc.is_object()) return make_error(where + " is not a kubeconfig (not a mapping)");
  const std::string context_name =
      wanted_context.empty() ? doc.value("current-context", "") : wanted_context;
  if (context_name.empty())
    return make_error(where + " has no current-context: set one (kubectl config use-context)");
  const json* context = named_entry(doc, "contexts", context_name, "context");
  if (!context) return make_error(where + " has no context named '" + context_name + "'");
  const std::string cluster_name = context->value("cluster", "");
  const json* cluster = named_entry(doc, "clusters", cluster_name, "cluster");
  if (!cluster)
    return make_error(where + ": context '" + context_name + "' names cluster '" + cluster_name +
                      "', which is not defined");
  const auto base = std::filesystem::path(path).parent_path();

  ClusterConfig config;
  config.server = cluster->value("server", "");
  if (config.server.empty())
    return make_error(where + ": cluster '" + cluster_name + "' has no server");
  config.insecure_skip_tls_verify = cluster->value("insecure-skip-tls-verify", false);
  if (const auto data = cluster->value("certificate-authority-data", ""); !data.empty()) {
    auto pem = decode_base64(data);
    if (!pem)
      return make_error(where + ": certificate-authority-data of cluster '" + cluster_name +
                        "' is " + pem.error().message);
    config.ca_pem = std::move(*pem);
  } else if (const auto file = cluster->value("certificate-authority", ""); !file.empty()) {
    auto pem = read_file(resolve(file, base));
    if (!pem) return make_error(pem.error().message + " (certificate-authority of " + where + ")");
    config.ca_pem = std::move(*pem);
  }
  config.ns = context->value("namespace", "");

  const std::string user_name = context->value("user", "");
  const json* user = named_entry(doc, "users", user_name, "user");
  if (!user_name.empty() && !user)
    return make_error(where + ": context '" + context_name + "' names user '" + user_name +
                      "', which is not defined");
  if (user) {
    for (const char* unsupported :
         {"client-certificate", "client-certificate-data", "exec", "auth-provider"}) {
      if (user->contains(unsupported) && !user->contains("token") && !user->contains("tokenFile")) {
        return make_error(where + ": user '" + user_name + "' authenticates with " + unsupported +
                          ", which Tailor does not support: give it a token");
      }
    }
    config.token = user->value("token", "");
    config.token_file = resolve(user->value("tokenFile", ""), base);
  }
  return config;
}

}  // namespace

InClusterEnvironment InClusterEnvironment::from_process() {
  InClusterEnvironment env;
  env.host = env_or_empty("KUBERNETES_SERVICE_HOST");
  env.port = env_or_empty("KUBERNETES_SERVICE_PORT");
  return env;
}

Result<ClusterConfig> in_cluster_config(const InClusterEnvironment& env) {
  if (env.host.empty() || env.port.empty())
    return make_error(
        "not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  ClusterConfig config;
  // An IPv6 service address needs brackets in a URL.
  const bool ipv6 = env.host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + env.host + "]" : env.host) + ":" + env.port;
  auto ca = read_file(env.secrets_dir + "/ca.crt");
  if (!ca) return make_error(ca.error().message + " (is a service account token mounted?)");
  config.ca_pem = std::move(*ca);
  config.token_file = env.secrets_dir + "/token";
  if (auto ns = read_file(env.secrets_dir + "/namespace"); ns) {
    config.ns = trim(*ns);
  }
  return config;
}

Result<ClusterConfig> load_kubeconfig(const std::string& path, const std::string& context) {
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_kubeconfig(*text, path, context);
}

Result<ClusterConfig> parse_kubeconfig(std::string_view text, const std::string& path,
                                       const std::string& context) {
  auto docs = yaml_documents_to_json(text);
  if (!docs) return make_error(path + ": " + docs.error().message);
  if (docs->size() != 1)
    return make_error("kubeconfig " + path + " must hold one YAML document, not " +
                      std::to_string(docs->size()));
  try {
    return config_from_kubeconfig(docs->front(), path, context);
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong type (a number where a string belongs, ...).
    return make_error("kubeconfig " + path + " is malformed: " + e.what());
  }
}

Result<ClusterConfig> default_cluster_config(const std::string& kubeconfig) {
  if (!kubeconfig.empty()) return load_kubeconfig(kubeconfig);
  const auto env = InClusterEnvironment::from_process();
  if (!env.host.empty()) return in_cluster_config(env);
  std::string path = env_or_empty("KUBECONFIG");
  path = path.substr(0, path.find(':'));
  if (path.empty()) {
    const std::string home = env_or_empty("HOME");
    if (home.empty())
      return make_error("no cluster configuration: not in a pod, KUBECONFIG and HOME are unset");
    path = home + "/.kube/config";
  }
  return load_kubeconfig(path);
}

}  // namespace tailor::common
