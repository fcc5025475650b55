// Parquet's file metadata (the footer) and page headers, decoded from the Thrift compact
// protocol into plain structs. Only what reading needs is kept; statistics, indexes, bloom
// filters and encryption are skipped. Field ids and enum values follow parquet.thrift.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rebill::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

// parquet.thrift's ConvertedType (the annotation older writers use).
enum ConvertedType : int32_t {
  kConvertedUtf8 = 0,
  kConvertedMap = 1,
  kConvertedMapKeyValue = 2,
  kConvertedList = 3,
  kConvertedDecimal = 5,
  kConvertedDate = 6,
  kConvertedTimeMillis = 7,
  kConvertedTimeMicros = 8,
  kConvertedTimestampMillis = 9,
  kConvertedTimestampMicros = 10,
  kConvertedUint8 = 11,
  kConvertedUint16 = 12,
  kConvertedUint32 = 13,
  kConvertedUint64 = 14,
};

/// What a column's values mean, from the logical type or, failing that, the converted type.
enum class ValueKind : uint8_t {
  kPlain,      // as the physical type says (integers, floats, bytes as text)
  kDecimal,    // unscaled integer with `scale`
  kTimestamp,  // an instant since the Unix epoch in `time_unit`
  kDate,       // days since the Unix epoch
  kUnsigned,   // an unsigned integer stored in INT32 / INT64
};

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

struct SchemaElement {
  std::optional<PhysicalType> type;  // absent for groups
  int32_t type_length = 0;
  Repetition repetition = Repetition::kRequired;
  std::string name;
  int32_t num_children = 0;
  std::optional<int32_t> converted_type;
  int32_t scale = 0;
  int32_t precision = 0;
  bool logical_map = false;  // logical type MAP
  ValueKind kind = ValueKind::kPlain;
  TimeUnit time_unit = TimeUnit::kMillis;
};

enum class Codec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

struct ColumnChunk {
  PhysicalType type = PhysicalType::kInt32;
  std::vector<std::string> path;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  bool has_metadata = false;
  bool external = false;  // file_path set: the chunk lives in another file
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t num_rows = 0;
};

struct FileMetaData {
  int32_t version = 0;
  std::vector<SchemaElement> schema;  // depth-first, the root first
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::string created_by;
  bool encrypted = false;
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  // Data page v2 only.
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
  bool has_type_header = false;  // the header for `type` was present
};

/// Decode the footer's FileMetaData. Errors are short reasons; the caller adds the file name.
bool ParseFileMetaData(const uint8_t* data, size_t size, FileMetaData* out, std::string* error);

/// Decode one page header at `data`; *header_size is its length in bytes.
bool ParsePageHeader(const uint8_t* data, size_t size, PageHeader* out, size_t* header_size,
                     std::string* error);

std::string_view CodecName(Codec codec);
std::string_view EncodingName(Encoding encoding);

}  // namespace rebill::parquet
