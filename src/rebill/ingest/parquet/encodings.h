// The value and level encodings of Parquet pages, and page decompression. Every decoder works on
// a bounded byte range and reports malformed input through a short reason string.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/ingest/parquet/metadata.h"

namespace rebill::parquet {

/// Bytes of a page, consumed from the front.
struct ByteRange {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

/// The RLE / bit-packed hybrid encoding (levels, dictionary indices, RLE booleans).
class RleDecoder {
 public:
  RleDecoder(const uint8_t* data, size_t size, int bit_width)
      : pos_(data), end_(data + size), width_(bit_width) {}
  /// Decode `count` values into `out` (appended). False with *error set when the data ends
  /// first or is malformed.
  bool Get(size_t count, std::vector<uint32_t>* out, std::string* error);
  /// Decode `count` dictionary indexes and write table[index] of each to out[0..count), without
  /// keeping the indexes. False with *error set when the data ends first, is malformed or holds
  /// an index of `table_size` or more.
  template <typename T>
  bool Gather(size_t count, const T* table, size_t table_size, T* out, std::string* error);
  /// Whether the next `count` values are one value repeated (*repeats, and *value), as the
  /// levels of a page without nulls are, so that they need not be spelled out. Reads the next
  /// run's header and nothing else: Get() still returns every value. False with *error set when
  /// the data is malformed.
  bool RepeatsFor(size_t count, bool* repeats, uint32_t* value, std::string* error);

 private:
  bool NextRun(std::string* error);
  // The next `count` values a run at a time: packed(first bit, n) for n bit-packed values (read
  // with PackedAt), repeated(value, n) for n copies of one. False, with *error set, when the
  // data ends first or a callback returns false (having set it).
  template <typename Packed, typename Repeated>
  bool ForRuns(size_t count, Packed packed, Repeated repeated, std::string* error);
  // False, with *error set, when the bit width is not one a value of up to 32 bits can have.
  bool WidthInRange(std::string* error) const;
  // The packed value at bit offset `bit` of the current run (`mask`: the width's low bits). One
  // unaligned 8-byte load holds any value of up to 32 bits at any bit offset; only the last few
  // values of a run fall back to the bounded read.
  uint32_t PackedAt(uint64_t bit, uint64_t mask) const {
    size_t byte = static_cast<size_t>(bit >> 3);
    if (byte + 8 > packed_bytes_) return PackedNearEnd(bit);
    uint64_t word;
    std::memcpy(&word, packed_ + byte, 8);
    return static_cast<uint32_t>((word >> (bit & 7)) & mask);
  }
  // PackedAt() where fewer than 8 bytes are left.
  uint32_t PackedNearEnd(uint64_t bit) const;

  const uint8_t* pos_;
  const uint8_t* end_;
  int width_;
  // The current run: `left` values, either `value` repeated or bit-packed at `packed`.
  uint64_t left_ = 0;
  bool packed_run_ = false;
  uint32_t value_ = 0;
  const uint8_t* packed_ = nullptr;
  size_t packed_bytes_ = 0;
  uint64_t packed_index_ = 0;
};

template <typename Packed, typename Repeated>
bool RleDecoder::ForRuns(size_t count, Packed packed, Repeated repeated, std::string* error) {
  while (count > 0) {
    if (left_ == 0) {
      if (!NextRun(error)) return false;
      continue;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(count, left_));
    if (packed_run_) {
      if (!packed(packed_index_ * static_cast<uint64_t>(width_), n)) return false;
      packed_index_ += n;
    } else if (!repeated(value_, n)) {
      return false;
    }
    left_ -= n;
    count -= n;
  }
  return true;
}

template <typename T>
bool RleDecoder::Gather(size_t count, const T* table, size_t table_size, T* out,
                        std::string* error) {
  if (!WidthInRange(error)) return false;
  auto bad_index = [&](uint64_t index) {
    *error = "a dictionary index (" + std::to_string(index) + ") is past the dictionary's " +
             std::to_string(table_size) + " entries";
    return false;
  };
  if (count > 0 && table_size == 0) return bad_index(0);
  const uint64_t mask = (uint64_t{1} << width_) - 1;
  auto packed = [&](uint64_t bit, size_t n) {
    // Checked once per run: an index past the table makes the run's maximum too big.
    uint32_t largest = 0;
    for (size_t k = 0; k < n; ++k, bit += static_cast<uint64_t>(width_)) {
      uint32_t index = PackedAt(bit, mask);
      largest = std::max(largest, index);
      out[k] = table[index < table_size ? index : 0];
    }
    out += n;
    if (largest >= table_size) return bad_index(largest);
    return true;
  };
  auto repeated = [&](uint32_t value, size_t n) {
    if (value >= table_size) return bad_index(value);
    out = std::fill_n(out, n, table[value]);
    return true;
  };
  return ForRuns(count, packed, repeated, error);
}

/// The deprecated BIT_PACKED level encoding (most significant bit first).
bool DecodeBitPackedLevels(const uint8_t* data, size_t size, int bit_width, size_t count,
                           std::vector<uint32_t>* out, std::string* error);

/// DELTA_BINARY_PACKED: appends `count` integers to `out`; advances `in` past the encoded data.
bool DecodeDeltaBinaryPacked(ByteRange* in, size_t count, bool is_64bit, std::vector<int64_t>* out,
                             std::string* error);

/// DELTA_LENGTH_BYTE_ARRAY (`with_prefixes` false) or DELTA_BYTE_ARRAY (true): calls
/// `value(bytes)` for each of `count` values, in order; stops at the first false. The values
/// together may not exceed `max_bytes` (a prefix can repeat a long value many times).
bool DecodeDeltaByteArrays(ByteRange in, size_t count, bool with_prefixes, uint64_t max_bytes,
                           std::string* error, const std::function<bool(std::string_view)>& value);

/// The number of bits needed for values up to `max_value`.
int BitWidth(uint64_t max_value);

/// Decompress one page of `codec` into exactly `expected` bytes.
bool Decompress(Codec codec, const uint8_t* data, size_t size, size_t expected, std::string* out,
                std::string* error);

}  // namespace rebill::parquet
