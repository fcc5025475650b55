// The value and level encodings of Parquet pages, and page decompression. Every decoder works on
// a bounded byte range and reports malformed input through a short reason string.
#pragma once

#include <cstdint>
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

 private:
  bool NextRun(std::string* error);

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
