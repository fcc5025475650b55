// Interned: an immutable string kept once per process. A month's hundreds of thousands of lines
// name a few thousand distinct accounts, services, usage types and descriptions; interned, each
// line holds a 4-byte number per text instead of a copy, a copy of a line copies numbers, and
// two texts are equal exactly when their numbers are.
//
//   Interned service = "AmazonEC2";      // looks the text up, adding it the first time
//   if (line.product_code == service)    // a comparison of numbers
//   std::string_view text = service;     // reads like any string
//
// Interned texts live until the process exits: a process reads one workspace, whose distinct
// values are few. Interning is thread-safe.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace rebill {

namespace interned_internal {
// The texts by number, in chunks that never move once made: a text's number is its identity,
// and half the size of a pointer in every line that holds it.
inline constexpr uint32_t kChunkBits = 16;
inline constexpr uint32_t kChunks = 1u << 16;
extern const std::string** chunks[kChunks];
extern const std::string empty;  // number 0, in no chunk
}  // namespace interned_internal

class Interned {
 public:
  /// The empty text (number 0); needs no look-up.
  Interned() noexcept = default;
  // Implicit, as std::string's: a field of the line is assigned any text.
  Interned(std::string_view text);
  Interned(const char* text) : Interned(std::string_view(text)) {}
  Interned(const std::string& text) : Interned(std::string_view(text)) {}

  /// Re-assigning the text a field already holds (a parser's reused row, a column whose value
  /// repeats from row to row) needs no look-up.
  Interned& operator=(std::string_view text) {
    if (text != str()) *this = Interned(text);
    return *this;
  }
  Interned& operator=(const char* text) { return *this = std::string_view(text); }
  Interned& operator=(const std::string& text) { return *this = std::string_view(text); }

  const std::string& str() const {
    using interned_internal::chunks, interned_internal::kChunkBits;
    if (id_ == 0) return interned_internal::empty;
    return *chunks[id_ >> kChunkBits][id_ & ((1u << kChunkBits) - 1)];
  }
  operator const std::string&() const { return str(); }
  operator std::string_view() const { return str(); }

  bool empty() const { return id_ == 0; }
  size_t size() const { return str().size(); }
  /// The same for equal texts, for hashing.
  uint32_t identity() const { return id_; }

  friend bool operator==(Interned a, Interned b) { return a.id_ == b.id_; }
  friend bool operator==(Interned a, std::string_view b) { return a.str() == b; }
  friend bool operator==(Interned a, const char* b) { return a.str() == b; }
  friend bool operator==(Interned a, const std::string& b) { return a.str() == b; }
  friend std::strong_ordering operator<=>(Interned a, Interned b) {
    return a.id_ == b.id_ ? std::strong_ordering::equal : a.str() <=> b.str();
  }
  friend std::ostream& operator<<(std::ostream& out, Interned text) { return out << text.str(); }
  friend std::string operator+(const char* a, Interned b) { return std::string(a) + b.str(); }
  friend std::string operator+(Interned a, const char* b) { return a.str() + b; }
  friend std::string operator+(std::string&& a, Interned b) { return std::move(a.append(b.str())); }

 private:
  uint32_t id_ = 0;
};

}  // namespace rebill

template <>
struct std::hash<rebill::Interned> {
  size_t operator()(rebill::Interned text) const noexcept {
    return std::hash<uint32_t>()(text.identity());
  }
};
