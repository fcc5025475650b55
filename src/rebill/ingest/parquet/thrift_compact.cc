#include "rebill/ingest/parquet/thrift_compact.h"

#include <cstring>

namespace rebill::parquet {
namespace {

constexpr int kMaxDepth = 64;

int64_t ZigZag(uint64_t n) { return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1); }

}  // namespace

void CompactReader::Fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  pos_ = end_;  // nothing more is read once the data is known to be bad
}

uint64_t CompactReader::ReadVarint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= end_) {
      Fail("the metadata ends in the middle of a value");
      return 0;
    }
    uint8_t byte = *pos_++;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  Fail("a varint in the metadata is longer than 10 bytes");
  return 0;
}

void CompactReader::ReadFieldHeader(int16_t* id, ThriftType* type) {
  *id = 0;
  *type = ThriftType::kStop;
  if (pos_ >= end_) {
    Fail("the metadata ends in the middle of a struct");
    return;
  }
  uint8_t byte = *pos_++;
  uint8_t t = byte & 0x0f;
  if (t == 0) return;  // stop
  if (t > static_cast<uint8_t>(ThriftType::kStruct)) {
    Fail("unknown Thrift field type " + std::to_string(t));
    return;
  }
  uint8_t delta = byte >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_field_ + delta);
  } else {
    int64_t explicit_id = ZigZag(ReadVarint());
    if (explicit_id < INT16_MIN || explicit_id > INT16_MAX) {
      Fail("a Thrift field id is out of range");
      return;
    }
    *id = static_cast<int16_t>(explicit_id);
  }
  last_field_ = *id;
  *type = static_cast<ThriftType>(t);
}

void CompactReader::BeginStruct() {
  if (depth_ >= kMaxDepth) {
    Fail("the metadata nests structs deeper than " + std::to_string(kMaxDepth));
    return;
  }
  field_stack_[depth_++] = last_field_;
  last_field_ = 0;
}

void CompactReader::EndStruct() {
  if (depth_ > 0) last_field_ = field_stack_[--depth_];
}

int32_t CompactReader::ReadI32() {
  int64_t v = ZigZag(ReadVarint());
  if (v < INT32_MIN || v > INT32_MAX) {
    Fail("a 32-bit integer in the metadata is out of range");
    return 0;
  }
  return static_cast<int32_t>(v);
}

int64_t CompactReader::ReadI64() { return ZigZag(ReadVarint()); }

int8_t CompactReader::ReadByte() {
  if (pos_ >= end_) {
    Fail("the metadata ends in the middle of a value");
    return 0;
  }
  return static_cast<int8_t>(*pos_++);
}

double CompactReader::ReadDouble() {
  if (remaining() < 8) {
    Fail("the metadata ends in the middle of a value");
    return 0;
  }
  double d = 0;
  std::memcpy(&d, pos_, 8);
  pos_ += 8;
  return d;
}

std::string_view CompactReader::ReadBinary() {
  uint64_t size = ReadVarint();
  if (size > remaining()) {
    Fail("a string in the metadata runs past its end");
    return {};
  }
  std::string_view out(reinterpret_cast<const char*>(pos_), size);
  pos_ += size;
  return out;
}

void CompactReader::ReadListHeader(ThriftType* element, uint32_t* count) {
  *count = 0;
  *element = ThriftType::kStop;
  if (pos_ >= end_) {
    Fail("the metadata ends in the middle of a list");
    return;
  }
  uint8_t byte = *pos_++;
  uint64_t n = byte >> 4;
  if (n == 15) n = ReadVarint();
  uint8_t t = byte & 0x0f;
  if (t == 0 || t > static_cast<uint8_t>(ThriftType::kStruct)) {
    Fail("unknown Thrift list element type " + std::to_string(t));
    return;
  }
  // Every element takes at least one byte, so no honest list is longer than what is left.
  if (n > remaining()) {
    Fail("a list in the metadata claims " + std::to_string(n) + " elements in " +
         std::to_string(remaining()) + " bytes");
    return;
  }
  *element = static_cast<ThriftType>(t);
  *count = static_cast<uint32_t>(n);
}

bool CompactReader::BoolOf(ThriftType type) { return type == ThriftType::kBoolTrue; }

void CompactReader::Skip(ThriftType type) { SkipDepth(type, 0); }

void CompactReader::SkipDepth(ThriftType type, int depth) {
  if (depth > kMaxDepth) {
    Fail("the metadata nests values deeper than " + std::to_string(kMaxDepth));
    return;
  }
  switch (type) {
    case ThriftType::kStop:
      Fail("unexpected Thrift stop");
      return;
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse:
      return;  // the value is in the field header
    case ThriftType::kByte:
      ReadByte();
      return;
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      ReadVarint();
      return;
    case ThriftType::kDouble:
      ReadDouble();
      return;
    case ThriftType::kBinary:
      ReadBinary();
      return;
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType element;
      uint32_t count;
      ReadListHeader(&element, &count);
      for (uint32_t i = 0; i < count && ok(); ++i) {
        // A bool element is a whole byte, unlike a bool field.
        if (element == ThriftType::kBoolTrue || element == ThriftType::kBoolFalse) {
          ReadByte();
        } else {
          SkipDepth(element, depth + 1);
        }
      }
      return;
    }
    case ThriftType::kMap: {
      uint64_t count = ReadVarint();
      if (count == 0) return;
      uint8_t types = static_cast<uint8_t>(ReadByte());
      if (count > remaining()) {
        Fail("a map in the metadata claims more entries than bytes");
        return;
      }
      auto key = static_cast<ThriftType>(types >> 4);
      auto value = static_cast<ThriftType>(types & 0x0f);
      if ((types >> 4) > 12 || (types & 0x0f) > 12) {
        Fail("unknown Thrift map element type");
        return;
      }
      for (uint64_t i = 0; i < count && ok(); ++i) {
        for (ThriftType t : {key, value}) {
          if (t == ThriftType::kBoolTrue || t == ThriftType::kBoolFalse) {
            ReadByte();
          } else {
            SkipDepth(t, depth + 1);
          }
        }
      }
      return;
    }
    case ThriftType::kStruct: {
      BeginStruct();
      for (;;) {
        if (!ok()) return;
        int16_t id;
        ThriftType t;
        ReadFieldHeader(&id, &t);
        if (!ok() || t == ThriftType::kStop) break;
        SkipDepth(t, depth + 1);
      }
      EndStruct();
      return;
    }
  }
}

}  // namespace rebill::parquet
