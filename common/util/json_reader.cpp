#include "common/util/json_reader.h"

#include <concepts>
#include <cstdint>
#include <limits>
#include <vector>

namespace tailor::common {
namespace {

using nlohmann::json;

// Each conversion returns the problem ("expected ...") or nullopt when `out` was set.
std::optional<std::string> convert(const json& value, std::string& out) {
  if (!value.is_string()) return "expected a string";
  out = value.get<std::string>();
  return std::nullopt;
}

std::optional<std::string> convert(const json& value, bool& out) {
  if (!value.is_boolean()) return "expected true or false";
  out = value.get<bool>();
  return std::nullopt;
}

// nlohmann keeps non-negative integer literals as unsigned; 1.0 is rejected, and so is a
// negative number for an unsigned T.
template <std::integral T>
std::optional<std::string> convert(const json& value, T& out) {
  constexpr auto min = std::numeric_limits<T>::min();
  constexpr auto max = std::numeric_limits<T>::max();
  bool fits = value.is_number_unsigned() && value.get<uint64_t>() <= static_cast<uint64_t>(max);
  if constexpr (std::is_signed_v<T>) {
    fits = fits || (value.is_number_integer() && !value.is_number_unsigned() &&
                    value.get<int64_t>() >= min && value.get<int64_t>() <= max);
  }
  if (!fits)
    return "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  out = value.is_number_unsigned() ? static_cast<T>(value.get<uint64_t>())
                                   : static_cast<T>(value.get<int64_t>());
  return std::nullopt;
}

std::optional<std::string> convert(const json& value, std::vector<std::string>& out) {
  if (!value.is_array()) return "expected an array of strings";
  out.clear();
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return "expected an array of strings, element " + std::to_string(i) + " is not a string";
    }
    out.push_back(value[i].get<std::string>());
  }
  return std::nullopt;
}

}  // namespace

Result<json> parse_json(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::out_of_range&) {
    // A number beyond a double ("1e400"): never let it escape a request handler.
    return make_error("not valid JSON: a number is too large");
  } catch (const json::exception& e) {
    // what() starts with "[json.exception.parse_error.101] ", which helps no user.
    std::string message = e.what();
    const auto tag_end = message.find("] ");
    if (tag_end != std::string::npos) message.erase(0, tag_end + 2);
    return make_error("not valid JSON: " + message);
  }
}

JsonObjectReader::JsonObjectReader(const json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    fail_at(path_, std::string("expected an object, found ") + value_.type_name());
  }
}

template <typename T>
T JsonObjectReader::required(std::string_view key) {
  T out{};
  if (const json* value = field(key, true)) {
    if (auto problem = convert(*value, out)) fail_at(path_of(key), *problem);
  }
  return ok() ? out : T{};
}

template <typename T>
std::optional<T> JsonObjectReader::optional(std::string_view key) {
  const json* value = field(key, false);
  if (value == nullptr) return std::nullopt;
  T out{};
  if (auto problem = convert(*value, out)) {
    fail_at(path_of(key), *problem);
    return std::nullopt;
  }
  return out;
}

template std::string JsonObjectReader::required(std::string_view);
template uint32_t JsonObjectReader::required(std::string_view);
template uint64_t JsonObjectReader::required(std::string_view);
template int64_t JsonObjectReader::required(std::string_view);
template int JsonObjectReader::required(std::string_view);
template std::vector<std::string> JsonObjectReader::required(std::string_view);
template bool JsonObjectReader::required(std::string_view);
template std::optional<std::string> JsonObjectReader::optional(std::string_view);
template std::optional<uint32_t> JsonObjectReader::optional(std::string_view);
template std::optional<uint64_t> JsonObjectReader::optional(std::string_view);
template std::optional<int64_t> JsonObjectReader::optional(std::string_view);
template std::optional<int> JsonObjectReader::optional(std::string_view);
template std::optional<std::vector<std::string>> JsonObjectReader::optional(std::string_view);

const json* JsonObjectReader::required_object(std::string_view key) {
  return nested(key, true, json::value_t::object);
}

const json* JsonObjectReader::optional_object(std::string_view key) {
  return nested(key, false, json::value_t::object);
}

const json* JsonObjectReader::required_array(std::string_view key) {
  return nested(key, true, json::value_t::array);
}

const json* JsonObjectReader::optional_array(std::string_view key) {
  return nested(key, false, json::value_t::array);
}

std::string JsonObjectReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string JsonObjectReader::element_path(const std::string& array_path, std::size_t index) {
  return array_path + "[" + std::to_string(index) + "]";
}

void JsonObjectReader::fail(std::string_view key, std::string_view problem) {
  fail_at(path_of(key), problem);
}

void JsonObjectReader::absorb(const JsonObjectReader& child) {
  if (ok() && !child.ok()) error_ = child.error();
}

const json* JsonObjectReader::field(std::string_view key, bool required) {
  if (!ok()) return nullptr;
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    if (required) fail_at(path_of(key), "missing");
    return nullptr;
  }
  return &*it;
}

const json* JsonObjectReader::nested(std::string_view key, bool required, json::value_t type) {
  const json* value = field(key, required);
  if (value != nullptr && value->type() != type) {
    fail_at(path_of(key),
            type == json::value_t::object ? "expected an object" : "expected an array");
    return nullptr;
  }
  return value;
}

void JsonObjectReader::fail_at(const std::string& path, std::string_view problem) {
  if (!ok()) return;
  error_ = make_error(path.empty() ? std::string(problem) : path + ": " + std::string(problem));
}

}  // namespace tailor::common
