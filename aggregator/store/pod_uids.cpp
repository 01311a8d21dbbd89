#include "aggregator/store/pod_uids.h"

#include <algorithm>

namespace tailor::aggregator {
namespace {

constexpr std::size_t kUuidChars = 36;

bool is_dash_at(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Inserts `value` into the sorted vector; true when it was not there.
template <typename T, typename V>
bool insert_sorted(std::vector<T>& into, const V& value) {
  auto at = std::lower_bound(into.begin(), into.end(), value);
  if (at != into.end() && *at == value) return false;
  into.insert(at, T(value));
  return true;
}

template <typename T, typename V>
bool contains_sorted(const std::vector<T>& in, const V& value) {
  return std::binary_search(in.begin(), in.end(), value);
}

template <typename T, typename V>
void erase_sorted(std::vector<T>& from, const V& value) {
  auto at = std::lower_bound(from.begin(), from.end(), value);
  if (at != from.end() && *at == value) from.erase(at);
}

}  // namespace

bool PodUids::parse(std::string_view uid, Uuid& out) {
  if (uid.size() != kUuidChars) return false;
  std::size_t byte = 0;
  for (std::size_t i = 0; i < kUuidChars; ++i) {
    if (is_dash_at(i)) {
      if (uid[i] != '-') return false;
      continue;
    }
    const int high = hex_digit(uid[i]);
    const int low = hex_digit(uid[++i]);
    if (high < 0 || low < 0 || is_dash_at(i)) return false;
    out[byte++] = static_cast<uint8_t>(high << 4 | low);
  }
  return true;
}

bool PodUids::contains(std::string_view uid) const {
  Uuid bytes;
  return parse(uid, bytes) ? contains_sorted(uuids_, bytes) : contains_sorted(others_, uid);
}

bool PodUids::insert(std::string_view uid) {
  Uuid bytes;
  return parse(uid, bytes) ? insert_sorted(uuids_, bytes) : insert_sorted(others_, uid);
}

void PodUids::erase(std::string_view uid) {
  Uuid bytes;
  if (parse(uid, bytes))
    erase_sorted(uuids_, bytes);
  else
    erase_sorted(others_, uid);
}

std::vector<std::string> PodUids::uids() const {
  constexpr char kDigits[] = "0123456789abcdef";
  std::vector<std::string> all(others_.begin(), others_.end());
  for (const Uuid& bytes : uuids_) {
    std::string text;
    text.reserve(kUuidChars);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
      text += kDigits[bytes[i] >> 4];
      text += kDigits[bytes[i] & 0xf];
    }
    all.push_back(std::move(text));
  }
  return all;
}

}  // namespace tailor::aggregator
