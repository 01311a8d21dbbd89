#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace tailor::common {

// Parses a whole document; the error quotes the parser's position and complaint.
Result<nlohmann::json> parse_json(std::string_view text);

// Reads the fields of one JSON object for a decoder. The first problem is kept together with
// the field's path ("syscalls[2].count: expected a non-negative integer") and later reads
// return empty values, so a decoder reads every field and checks ok() once instead of after
// each read.
//
// Field types: std::string, uint32_t, uint64_t, int64_t, int, std::vector<std::string>.
class JsonObjectReader {
 public:
  // `path` names `value` in messages ("recording", "syscalls[2]"); empty for a document root.
  JsonObjectReader(const nlohmann::json& value, std::string path);

  // Missing, null or mistyped is an error.
  template <typename T>
  T required(std::string_view key);
  // Absent or null is nullopt; mistyped is an error.
  template <typename T>
  std::optional<T> optional(std::string_view key);

  // A field naming an enum value, read by `parse`, whose error (listing the valid names) is
  // the field's. A required one is Enum{} after an error.
  template <typename Enum>
  Enum required_enum(std::string_view key, Result<Enum> (*parse)(std::string_view)) {
    return parse_enum_field(required<std::string>(key), key, parse).value_or(Enum{});
  }
  template <typename Enum>
  std::optional<Enum> optional_enum(std::string_view key, Result<Enum> (*parse)(std::string_view)) {
    const auto name = optional<std::string>(key);
    return name ? parse_enum_field(*name, key, parse) : std::nullopt;
  }

  // Nested objects and arrays, for child readers and loops; nullptr when absent (optional_*)
  // or after an error.
  const nlohmann::json* required_object(std::string_view key);
  const nlohmann::json* optional_object(std::string_view key);
  const nlohmann::json* required_array(std::string_view key);
  const nlohmann::json* optional_array(std::string_view key);

  // Reads each element of an array field with a child reader ("key[2]" in messages), up to the
  // first problem, which this reader takes over. Absent or null: no element (optional_*).
  template <typename ReadElement>
  void required_elements(std::string_view key, ReadElement read_element) {
    read_elements(required_array(key), key, read_element);
  }
  template <typename ReadElement>
  void optional_elements(std::string_view key, ReadElement read_element) {
    read_elements(optional_array(key), key, read_element);
  }

  std::string path_of(std::string_view key) const;
  static std::string element_path(const std::string& array_path, std::size_t index);

  // Records a problem the caller found in a field's value, such as an unknown name.
  void fail(std::string_view key, std::string_view problem);
  // Takes over a child reader's problem, so the caller keeps checking only its own ok().
  void absorb(const JsonObjectReader& child);

  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }

 private:
  const nlohmann::json* field(std::string_view key, bool required);
  const nlohmann::json* nested(std::string_view key, bool required, nlohmann::json::value_t type);
  void fail_at(const std::string& path, std::string_view problem);
  template <typename Enum>
  std::optional<Enum> parse_enum_field(const std::string& name, std::string_view key,
                                       Result<Enum> (*parse)(std::string_view)) {
    if (!ok()) return std::nullopt;
    auto value = parse(name);
    if (!value.ok()) {
      fail(key, value.error().message);
      return std::nullopt;
    }
    return *value;
  }
  template <typename ReadElement>
  void read_elements(const nlohmann::json* array, std::string_view key, ReadElement& read_element) {
    if (array == nullptr) return;
    const std::string array_path = path_of(key);
    for (std::size_t i = 0; i < array->size() && ok(); ++i) {
      JsonObjectReader element((*array)[i], element_path(array_path, i));
      read_element(element);
      absorb(element);
    }
  }

  const nlohmann::json& value_;
  std::string path_;
  std::optional<Error> error_;
};

}  // namespace tailor::common
