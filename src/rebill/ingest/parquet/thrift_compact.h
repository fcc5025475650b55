// A reader of the Thrift compact protocol (the encoding of Parquet's footer and page headers):
// varints, zigzag integers, field headers with deltas, lists, maps and nested structs. Every read
// is checked against the end of the buffer; a failure is sticky, so callers may read a whole
// struct and test ok() once. Sizes read from the data are never trusted for allocation: a list
// or string cannot claim more elements than bytes remain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rebill::parquet {

/// The element and field types of the compact protocol.
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class CompactReader {
 public:
  CompactReader(const uint8_t* data, size_t size) : pos_(data), end_(data + size) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  /// Bytes consumed so far, from the start of the buffer given.
  size_t consumed(const uint8_t* start) const { return static_cast<size_t>(pos_ - start); }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }

  /// The next field of the current struct: its id and type; kStop at the end of the struct.
  /// Bool fields carry their value in the type (kBoolTrue / kBoolFalse).
  void ReadFieldHeader(int16_t* id, ThriftType* type);
  void BeginStruct();
  void EndStruct();

  int32_t ReadI32();
  int64_t ReadI64();
  int8_t ReadByte();
  double ReadDouble();
  /// Valid while the buffer is.
  std::string_view ReadBinary();
  /// The element type and count of a list or set.
  void ReadListHeader(ThriftType* element, uint32_t* count);
  /// The value of a bool field whose header gave `type`.
  bool BoolOf(ThriftType type);

  /// Skip a value of `type` (nested containers and structs included, to a bounded depth).
  void Skip(ThriftType type);

  void Fail(std::string why);

 private:
  uint64_t ReadVarint();
  void SkipDepth(ThriftType type, int depth);

  const uint8_t* pos_;
  const uint8_t* end_;
  std::string error_;
  int16_t last_field_ = 0;
  // Field ids restart in each nested struct; the enclosing struct's last id is restored after.
  int16_t field_stack_[64] = {};
  int depth_ = 0;
};

}  // namespace rebill::parquet
