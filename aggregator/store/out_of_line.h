#pragma once

#include <memory>

namespace tailor::aggregator {

// A value kept behind a pointer and allocated when first written: for the parts of a type that
// most of its instances never use, which would otherwise take their full size in every one.
// Copies are deep, and an unallocated value reads as, and compares equal to, a default T.
template <typename T>
class OutOfLine {
 public:
  OutOfLine() = default;
  OutOfLine(const OutOfLine& other)
      : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  OutOfLine(OutOfLine&&) noexcept = default;
  OutOfLine& operator=(const OutOfLine& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  OutOfLine& operator=(OutOfLine&&) noexcept = default;

  const T& operator*() const { return value_ ? *value_ : empty(); }
  const T* operator->() const { return &**this; }
  bool allocated() const { return value_ != nullptr; }
  T& write() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }

  bool operator==(const OutOfLine& other) const { return **this == *other; }

 private:
  static const T& empty() {
    static const T value{};
    return value;
  }

  std::unique_ptr<T> value_;
};

}  // namespace tailor::aggregator
