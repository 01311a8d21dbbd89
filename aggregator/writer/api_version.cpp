#include "aggregator/writer/api_version.h"

#include "common/k8s/seccomp_profile_object.h"

namespace tailor::aggregator {

common::Result<std::string> pick_spo_version(const nlohmann::json& api_group) {
  bool v1beta1 = false;
  for (const auto& version : api_group.value("versions", nlohmann::json::array())) {
    const std::string name = version.value("version", "");
    if (name == "v1") return name;
    v1beta1 |= name == "v1beta1";
  }
  if (v1beta1) return std::string("v1beta1");
  return common::make_error(std::string("the API server serves no SeccompProfile version Tailor "
                                        "writes (v1 or v1beta1 of ") +
                            common::kSpoGroup + "): install the Security Profiles Operator");
}

common::Result<std::string> discover_spo_version(common::KubeClient& client) {
  auto group = client.get(std::string("/apis/") + common::kSpoGroup);
  if (!group) {
    if (group.status() == 404) return pick_spo_version(nlohmann::json::object());
    return common::make_error("cannot discover SeccompProfile versions: " + group.error().message);
  }
  return pick_spo_version(*group);
}

}  // namespace tailor::aggregator
