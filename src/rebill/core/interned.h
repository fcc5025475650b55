// Interned: an immutable string kept once per process. A month's hundreds of thousands of lines
// name a few thousand distinct accounts, services, usage types and descriptions; interned, each
// line holds a pointer per text instead of a copy, a copy of a line copies pointers, and two
// texts are equal exactly when their pointers are.
//
//   Interned service = "AmazonEC2";      // looks the text up, adding it the first time
//   if (line.product_code == service)    // a pointer comparison
//   std::string_view text = service;     // reads like any string
//
// Interned texts live until the process exits: a process reads one workspace, whose distinct
// values are few. Interning is thread-safe.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace rebill {

class Interned {
 public:
  /// The empty text; needs no look-up.
  Interned() noexcept : text_(&Empty()) {}
  // Implicit, as std::string's: a field of the line is assigned any text.
  Interned(std::string_view text);
  Interned(const char* text) : Interned(std::string_view(text)) {}
  Interned(const std::string& text) : Interned(std::string_view(text)) {}

  /// Re-assigning the text a field already holds (a parser's reused row, a column whose value
  /// repeats from row to row) needs no look-up.
  Interned& operator=(std::string_view text) {
    if (text != *text_) *this = Interned(text);
    return *this;
  }
  Interned& operator=(const char* text) { return *this = std::string_view(text); }
  Interned& operator=(const std::string& text) { return *this = std::string_view(text); }

  const std::string& str() const { return *text_; }
  operator const std::string&() const { return *text_; }
  operator std::string_view() const { return *text_; }

  bool empty() const { return text_->empty(); }
  size_t size() const { return text_->size(); }
  const char* data() const { return text_->data(); }
  const char* c_str() const { return text_->c_str(); }
  /// The same for equal texts, for hashing.
  const void* identity() const { return text_; }

  friend bool operator==(Interned a, Interned b) { return a.text_ == b.text_; }
  friend bool operator==(Interned a, std::string_view b) { return *a.text_ == b; }
  friend bool operator==(Interned a, const char* b) { return *a.text_ == b; }
  friend bool operator==(Interned a, const std::string& b) { return *a.text_ == b; }
  friend std::strong_ordering operator<=>(Interned a, Interned b) {
    return a.text_ == b.text_ ? std::strong_ordering::equal : *a.text_ <=> *b.text_;
  }
  friend std::strong_ordering operator<=>(Interned a, std::string_view b) {
    return std::string_view(*a.text_) <=> b;
  }
  friend std::ostream& operator<<(std::ostream& out, Interned text) { return out << *text.text_; }
  friend std::string operator+(Interned a, std::string_view b) {
    return std::string(*a.text_).append(b);
  }
  friend std::string operator+(std::string_view a, Interned b) {
    return std::string(a).append(*b.text_);
  }
  friend std::string operator+(const char* a, Interned b) { return std::string(a) + *b.text_; }
  friend std::string operator+(Interned a, const char* b) { return *a.text_ + b; }
  friend std::string operator+(const std::string& a, Interned b) { return a + *b.text_; }
  friend std::string operator+(Interned a, const std::string& b) { return *a.text_ + b; }
  friend std::string operator+(std::string&& a, Interned b) {
    return std::move(a.append(*b.text_));
  }
  friend std::string operator+(Interned a, char b) { return *a.text_ + b; }

 private:
  static const std::string& Empty();
  const std::string* text_;
};

}  // namespace rebill

template <>
struct std::hash<rebill::Interned> {
  size_t operator()(rebill::Interned text) const noexcept {
    return std::hash<const void*>()(text.identity());
  }
};
