#include "common/k8s/yaml_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <regex>
#include <sstream>

#include "common/util/strings.h"

namespace tailor::common {
namespace {

nlohmann::json plain_scalar(const std::string& s) {
  static const std::regex kNull("^(~|null|Null|NULL)?$");
  static const std::regex kTrue("^(true|True|TRUE)$");
  static const std::regex kFalse("^(false|False|FALSE)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kHex("^0x[0-9a-fA-F]+$");
  static const std::regex kOct("^0o[0-7]+$");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (std::regex_match(s, kNull)) return nullptr;
  if (std::regex_match(s, kTrue)) return true;
  if (std::regex_match(s, kFalse)) return false;
  try {
    if (std::regex_match(s, kInt)) {
      if (s[0] != '-') {
        const unsigned long long u = std::stoull(s[0] == '+' ? s.substr(1) : s);
        if (u > static_cast<unsigned long long>(INT64_MAX)) return u;
      }
      return std::stoll(s);
    }
    if (std::regex_match(s, kHex)) return std::stoll(s.substr(2), nullptr, 16);
    if (std::regex_match(s, kOct)) return std::stoll(s.substr(2), nullptr, 8);
    if (std::regex_match(s, kFloat)) return std::stod(s);
  } catch (const std::out_of_range&) {
    // Too large for a number: YAML keeps it, so do we, as text.
  }
  return s;
}

// YAML is Unicode, but yaml-cpp passes any bytes through; a string that is not UTF-8 would make
// every later dump() of the JSON throw.
std::string utf8_text(const YAML::Node& node) {
  auto text = node.as<std::string>();
  if (!is_utf8(text)) throw YAML::ParserException(node.Mark(), "a string is not UTF-8");
  return text;
}

// yaml-cpp 0.7 never finishes some malformed streams: after a top-level flow node followed by a
// comma ("[1],", "'a',") it returns empty documents at the same place forever, growing memory.
// A document that starts where the previous one did is that loop; the events are not needed.
class StuckParserCheck : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (previous_ && previous_->pos == mark.pos)
      throw YAML::ParserException(mark, "the text after the document's node does not parse");
    previous_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  std::optional<YAML::Mark> previous_;
};

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted and block scalars "!" and plain ones "?".
      return node.Tag() == "!" ? nlohmann::json(utf8_text(node)) : plain_scalar(utf8_text(node));
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) out[utf8_text(kv.first)] = to_json(kv.second);
      return out;
    }
  }
  return nullptr;
}

void emit(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emit(out, key);
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      return;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (!plain_scalar(text).is_string()) out << YAML::DoubleQuoted;
      out << text;
      return;
    }
    case nlohmann::json::value_t::null:
      out << YAML::Null;
      return;
    default:
      // Numbers and booleans print as JSON does, which the core schema reads back alike.
      out << value.dump();
      return;
  }
}

}  // namespace

std::string json_to_yaml(const nlohmann::json& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

Result<std::vector<nlohmann::json>> yaml_documents_to_json(std::string_view yaml) {
  try {
    {
      std::istringstream stream{std::string(yaml)};
      YAML::Parser parser(stream);
      StuckParserCheck check;
      while (parser.HandleNextDocument(check)) {
      }
    }
    std::vector<nlohmann::json> docs;
    for (const auto& node : YAML::LoadAll(std::string(yaml))) {
      if (node.IsNull()) continue;
      docs.push_back(to_json(node));
    }
    return docs;
  } catch (const YAML::Exception& e) {
    return make_error(std::string("invalid YAML: ") + e.what());
  }
}

Result<nlohmann::json> yaml_to_json(std::string_view yaml) {
  auto docs = yaml_documents_to_json(yaml);
  if (!docs) return docs.error();
  if (docs->size() != 1) {
    return make_error("expected one YAML document, found " + std::to_string(docs->size()));
  }
  return std::move(docs->front());
}

}  // namespace tailor::common
