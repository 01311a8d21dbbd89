#include "tests/support/k8s/crd.h"

#include "common/k8s/yaml_json.h"
#include "common/util/file.h"

namespace tailor::testing {

common::Result<std::vector<nlohmann::json>> load_yaml_file(const std::string& path) {
  auto text = common::read_file(path);
  if (!text) return text.error();
  auto docs = common::yaml_documents_to_json(*text);
  if (!docs) return common::make_error(path + ": " + docs.error().message);
  return docs;
}

const CrdVersion* Crd::version(const std::string& name) const {
  for (const auto& v : versions) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

common::Result<Crd> parse_crd(const nlohmann::json& object) {
  if (object.value("kind", "") != "CustomResourceDefinition") {
    return common::make_error("not a CustomResourceDefinition (kind " + object.value("kind", "") +
                              ")");
  }
  try {
    const auto& spec = object.at("spec");
    const auto& names = spec.at("names");
    Crd crd;
    crd.group = spec.at("group").get<std::string>();
    crd.kind = names.at("kind").get<std::string>();
    crd.list_kind = names.value("listKind", crd.kind + "List");
    crd.plural = names.at("plural").get<std::string>();
    crd.singular = names.value("singular", "");
    crd.short_names = names.value("shortNames", std::vector<std::string>{});
    crd.namespaced = spec.at("scope").get<std::string>() == "Namespaced";
    for (const auto& v : spec.at("versions")) {
      CrdVersion version;
      version.name = v.at("name").get<std::string>();
      version.served = v.value("served", false);
      version.storage = v.value("storage", false);
      version.schema = v.at("schema").at("openAPIV3Schema");
      version.status_subresource =
          v.contains("subresources") && v["subresources"].contains("status");
      for (const auto& c : v.value("additionalPrinterColumns", nlohmann::json::array())) {
        version.printer_columns.push_back({c.at("name").get<std::string>(),
                                           c.at("type").get<std::string>(),
                                           c.at("jsonPath").get<std::string>(),
                                           c.value("priority", 0), c.value("description", "")});
      }
      crd.versions.push_back(std::move(version));
    }
    return crd;
  } catch (const nlohmann::json::exception& e) {
    return common::make_error(std::string("malformed CustomResourceDefinition: ") + e.what());
  }
}

common::Result<Crd> load_crd_file(const std::string& path) {
  auto docs = load_yaml_file(path);
  if (!docs) return docs.error();
  if (docs->size() != 1)
    return common::make_error(path + ": expected one CustomResourceDefinition");
  auto crd = parse_crd(docs->front());
  if (!crd) return common::make_error(path + ": " + crd.error().message);
  return crd;
}

}  // namespace tailor::testing
