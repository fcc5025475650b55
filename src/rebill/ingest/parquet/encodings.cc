#include "rebill/ingest/parquet/encodings.h"

#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <memory>

namespace rebill::parquet {
namespace {

__extension__ typedef unsigned __int128 UInt128;

static_assert(std::endian::native == std::endian::little,
              "the decoders assume a little-endian host");

// `width` (<= 64) bits at bit offset `bit`, least significant bit first. The caller has
// checked that they lie within the `size` bytes at `data`.
inline uint64_t ReadPacked(const uint8_t* data, size_t size, uint64_t bit, int width) {
  if (width == 0) return 0;
  size_t byte = bit >> 3;
  int shift = static_cast<int>(bit & 7);
  UInt128 acc = 0;
  size_t n = std::min<size_t>(16, size - byte);
  std::memcpy(&acc, data + byte, n);
  acc >>= shift;
  uint64_t value = static_cast<uint64_t>(acc);
  return width == 64 ? value : value & ((uint64_t{1} << width) - 1);
}

bool ReadVarint(const uint8_t** pos, const uint8_t* end, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= end) return false;
    uint8_t byte = *(*pos)++;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = value;
      return true;
    }
  }
  return false;
}

int64_t ZigZag(uint64_t n) { return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1); }

}  // namespace

int BitWidth(uint64_t max_value) { return max_value == 0 ? 0 : 64 - std::countl_zero(max_value); }

bool RleDecoder::NextRun(std::string* error) {
  uint64_t header = 0;
  if (pos_ >= end_ || !ReadVarint(&pos_, end_, &header)) {
    *error = "the RLE / bit-packed data ends before all values";
    return false;
  }
  size_t remaining = static_cast<size_t>(end_ - pos_);
  if (header & 1) {
    uint64_t groups = header >> 1;
    uint64_t bytes = groups * static_cast<uint64_t>(width_);
    if (groups > (uint64_t{1} << 40)) bytes = UINT64_MAX;
    uint64_t values = groups * 8;
    if (bytes > remaining) {  // a final run may stop short of its padding
      bytes = remaining;
      values = width_ == 0 ? values : bytes * 8 / static_cast<uint64_t>(width_);
    }
    packed_run_ = true;
    packed_ = pos_;
    packed_bytes_ = static_cast<size_t>(bytes);
    packed_index_ = 0;
    left_ = values;
    pos_ += bytes;
  } else {
    size_t value_bytes = static_cast<size_t>((width_ + 7) / 8);
    if (value_bytes > remaining) {
      *error = "an RLE run ends before its value";
      return false;
    }
    uint32_t value = 0;
    std::memcpy(&value, pos_, value_bytes);
    pos_ += value_bytes;
    if (width_ < 32 && (value >> width_) != 0) {
      *error = "an RLE run's value does not fit its bit width";
      return false;
    }
    packed_run_ = false;
    value_ = value;
    left_ = header >> 1;
  }
  return true;
}

uint32_t RleDecoder::PackedNearEnd(uint64_t bit) const {
  return static_cast<uint32_t>(ReadPacked(packed_, packed_bytes_, bit, width_));
}

bool RleDecoder::WidthInRange(std::string* error) const {
  if (width_ >= 0 && width_ <= 32) return true;
  *error = "bit width " + std::to_string(width_) + " is out of range";
  return false;
}

bool RleDecoder::RepeatsFor(size_t count, bool* repeats, uint32_t* value, std::string* error) {
  if (!WidthInRange(error)) return false;
  if (left_ == 0 && count > 0 && !NextRun(error)) return false;
  *repeats = !packed_run_ && left_ >= count;
  *value = value_;
  return true;
}

bool RleDecoder::Get(size_t count, std::vector<uint32_t>* out, std::string* error) {
  if (!WidthInRange(error)) return false;
  out->reserve(out->size() + count);
  const uint64_t mask = (uint64_t{1} << width_) - 1;
  auto packed = [&](uint64_t bit, size_t n) {
    size_t base = out->size();
    out->resize(base + n);
    uint32_t* dst = out->data() + base;
    for (size_t k = 0; k < n; ++k, bit += static_cast<uint64_t>(width_)) {
      dst[k] = PackedAt(bit, mask);
    }
    return true;
  };
  auto repeated = [&](uint32_t value, size_t n) {
    out->insert(out->end(), n, value);
    return true;
  };
  return ForRuns(count, packed, repeated, error);
}

bool DecodeBitPackedLevels(const uint8_t* data, size_t size, int bit_width, size_t count,
                           std::vector<uint32_t>* out, std::string* error) {
  if (bit_width < 0 || bit_width > 16) {
    *error = "bit width " + std::to_string(bit_width) + " is out of range";
    return false;
  }
  uint64_t bits = static_cast<uint64_t>(count) * static_cast<uint64_t>(bit_width);
  if ((bits + 7) / 8 > size) {
    *error = "the BIT_PACKED levels end before all values";
    return false;
  }
  out->reserve(out->size() + count);
  uint64_t bit = 0;
  for (size_t i = 0; i < count; ++i) {
    uint32_t v = 0;
    for (int b = 0; b < bit_width; ++b, ++bit) {
      v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    out->push_back(v);
  }
  return true;
}

bool DecodeDeltaBinaryPacked(ByteRange* in, size_t count, bool is_64bit, std::vector<int64_t>* out,
                             std::string* error) {
  const uint8_t* pos = in->data;
  const uint8_t* end = in->data + in->size;
  uint64_t block_size = 0, miniblocks = 0, total = 0, first = 0;
  if (!ReadVarint(&pos, end, &block_size) || !ReadVarint(&pos, end, &miniblocks) ||
      !ReadVarint(&pos, end, &total) || !ReadVarint(&pos, end, &first)) {
    *error = "the DELTA_BINARY_PACKED header is truncated";
    return false;
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > (uint64_t{1} << 20) ||
      miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    *error = "the DELTA_BINARY_PACKED header has an invalid block layout";
    return false;
  }
  if (total != count) {
    *error = "the DELTA_BINARY_PACKED data holds " + std::to_string(total) + " values, not " +
             std::to_string(count);
    return false;
  }
  uint64_t per_mini = block_size / miniblocks;
  out->reserve(out->size() + count);
  uint64_t value = static_cast<uint64_t>(ZigZag(first));
  auto narrow = [is_64bit](uint64_t v) {
    return is_64bit ? static_cast<int64_t>(v) : static_cast<int64_t>(static_cast<int32_t>(v));
  };
  if (total > 0) out->push_back(narrow(value));
  uint64_t left = total > 0 ? total - 1 : 0;
  while (left > 0) {
    uint64_t min_delta_raw = 0;
    if (!ReadVarint(&pos, end, &min_delta_raw) || static_cast<uint64_t>(end - pos) < miniblocks) {
      *error = "a DELTA_BINARY_PACKED block is truncated";
      return false;
    }
    uint64_t min_delta = static_cast<uint64_t>(ZigZag(min_delta_raw));
    const uint8_t* widths = pos;
    pos += miniblocks;
    for (uint64_t m = 0; m < miniblocks && left > 0; ++m) {
      int width = widths[m];
      if (width > (is_64bit ? 64 : 32)) {
        *error = "a DELTA_BINARY_PACKED miniblock has bit width " + std::to_string(width);
        return false;
      }
      uint64_t bytes = per_mini * static_cast<uint64_t>(width) / 8;
      uint64_t available = std::min<uint64_t>(bytes, static_cast<uint64_t>(end - pos));
      uint64_t n = std::min(per_mini, left);
      if (n * static_cast<uint64_t>(width) > available * 8) {
        *error = "a DELTA_BINARY_PACKED miniblock is truncated";
        return false;
      }
      for (uint64_t k = 0; k < n; ++k) {
        value += min_delta + ReadPacked(pos, available, k * static_cast<uint64_t>(width), width);
        out->push_back(narrow(value));
      }
      pos += available;
      left -= n;
    }
  }
  in->size -= static_cast<size_t>(pos - in->data);
  in->data = pos;
  return true;
}

bool DecodeDeltaByteArrays(ByteRange in, size_t count, bool with_prefixes, uint64_t max_bytes,
                           std::string* error, const std::function<bool(std::string_view)>& value) {
  std::vector<int64_t> prefixes, lengths;
  if (with_prefixes && !DecodeDeltaBinaryPacked(&in, count, false, &prefixes, error)) return false;
  if (!DecodeDeltaBinaryPacked(&in, count, false, &lengths, error)) return false;
  size_t pos = 0;
  std::string previous, current;
  uint64_t produced = 0;
  for (size_t i = 0; i < count; ++i) {
    int64_t length = lengths[i];
    if (length < 0 || static_cast<uint64_t>(length) > in.size - pos) {
      *error = "a string runs past the end of its page";
      return false;
    }
    std::string_view suffix(reinterpret_cast<const char*>(in.data + pos),
                            static_cast<size_t>(length));
    pos += static_cast<size_t>(length);
    if (!with_prefixes) {
      if (!value(suffix)) return false;
      continue;
    }
    int64_t prefix = prefixes[i];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > previous.size()) {
      *error = "a DELTA_BYTE_ARRAY prefix is longer than the previous value";
      return false;
    }
    produced += static_cast<uint64_t>(prefix) + suffix.size();
    if (produced > max_bytes) {
      *error = "the values would exceed " + std::to_string(max_bytes) + " bytes";
      return false;
    }
    current.assign(previous, 0, static_cast<size_t>(prefix));
    current.append(suffix);
    if (!value(current)) return false;
    previous.swap(current);
  }
  return true;
}

bool Decompress(Codec codec, const uint8_t* data, size_t size, size_t expected, std::string* out,
                std::string* error) {
  switch (codec) {
    case Codec::kUncompressed:
      if (size != expected) {
        *error = "an uncompressed page's size differs from its header";
        return false;
      }
      out->assign(reinterpret_cast<const char*>(data), size);
      return true;
    case Codec::kSnappy: {
      size_t length = 0;
      const char* in = reinterpret_cast<const char*>(data);
      if (snappy_uncompressed_length(in, size, &length) != SNAPPY_OK || length != expected) {
        *error = "the SNAPPY data is corrupt or its size differs from the page header";
        return false;
      }
      out->resize(expected);
      size_t written = expected;
      if (snappy_uncompress(in, size, out->data(), &written) != SNAPPY_OK || written != expected) {
        *error = "the SNAPPY data is corrupt";
        return false;
      }
      return true;
    }
    case Codec::kGzip: {
      out->resize(expected);
      z_stream z{};
      if (inflateInit2(&z, 15 + 32) != Z_OK) {
        *error = "zlib could not start";
        return false;
      }
      z.next_in = const_cast<Bytef*>(data);
      z.avail_in = static_cast<uInt>(std::min<size_t>(size, UINT32_MAX));
      z.next_out = reinterpret_cast<Bytef*>(out->data());
      z.avail_out = static_cast<uInt>(expected);
      int rc = inflate(&z, Z_FINISH);
      bool ok = rc == Z_STREAM_END && z.total_out == expected;
      inflateEnd(&z);
      if (!ok) {
        *error = "the GZIP data is corrupt or its size differs from the page header";
        return false;
      }
      return true;
    }
    case Codec::kZstd: {
      // A context per thread: making one per page costs more than decoding a small page.
      thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(),
                                                                                ZSTD_freeDCtx);
      if (context == nullptr) {
        *error = "zstd could not start";
        return false;
      }
      out->resize(expected);
      size_t rc = ZSTD_decompressDCtx(context.get(), out->data(), expected, data, size);
      if (ZSTD_isError(rc) || rc != expected) {
        *error = "the ZSTD data is corrupt or its size differs from the page header";
        return false;
      }
      return true;
    }
    case Codec::kLz4Raw: {
      // LZ4_RAW is LZ4's block format, without a frame; the page header gives its size.
      if (size > static_cast<size_t>(INT_MAX) || expected > static_cast<size_t>(INT_MAX)) {
        *error = "the LZ4_RAW page is larger than LZ4 blocks can be";
        return false;
      }
      out->resize(expected);
      int rc = LZ4_decompress_safe(reinterpret_cast<const char*>(data), out->data(),
                                   static_cast<int>(size), static_cast<int>(expected));
      if (rc < 0 || static_cast<size_t>(rc) != expected) {
        *error = "the LZ4_RAW data is corrupt or its size differs from the page header";
        return false;
      }
      return true;
    }
    default:
      *error = "the compression codec " + std::string(CodecName(codec)) + " is not supported";
      return false;
  }
}

}  // namespace rebill::parquet
