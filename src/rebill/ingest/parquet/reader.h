// A reader of Apache Parquet files, written from the format specification: the footer's
// metadata (Thrift compact protocol), row groups and column chunks, data pages v1 and v2 and
// dictionary pages, the encodings PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE / bit-packed
// levels, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT,
// and the codecs UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW.
//
// Values come out as text cells, the text a CSV export of the same data would hold, so that
// billing files are read by one set of row parsers whatever their container:
//  - strings as their bytes; integers in decimal; booleans "true" / "false";
//  - DOUBLE / FLOAT as the shortest text that reads back to the same binary value
//    (std::to_chars), never through arithmetic on the binary value;
//  - DECIMAL (INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY) as exact decimal text;
//  - timestamps (TIMESTAMP_MILLIS / MICROS, logical TIMESTAMP, INT96) as
//    2018-10-01T00:00:00Z (with fraction digits when there are any); DATE as 2018-10-01;
//  - MAP columns (MAP<string, string>, MAP<string, double>, ...) as a JSON object, the form
//    CUR 2.0's CSV exports give them: {"key":"text","other":1.5};
//  - null as an empty cell (is_null tells it apart from an empty string).
//
// Only the top-level columns asked for are decoded (projection), and a row group's columns can
// be decoded on several threads. A file opened by path is not held in memory: the footer is
// read once, and each row group's projected column chunks are read (pread) when that row group
// is decoded, so memory follows the decoded row group, not the file. Every size and offset read
// from the file is checked against
// the file before it is used: a corrupt, truncated or hostile file gives kInvalidInput naming
// the file, row group and column, never a crash, a hang or an allocation out of proportion to
// the file's size.
//
//   REBILL_ASSIGN_OR_RETURN(ParquetFile file, ParquetFile::Open("cur.parquet"));
//   std::vector<int> wanted = {file.FindColumn("line_item_unblended_cost")};
//   for (size_t g = 0; g < file.row_group_count(); ++g) {
//     REBILL_ASSIGN_OR_RETURN(std::vector<TextColumn> columns, file.ReadRowGroup(g, wanted));
//     ... columns[0].cell(row) ...
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/result.h"

namespace rebill::parquet {

/// Bounds on what a file may make the reader allocate, relative to its size. The defaults
/// admit any file a real writer produces; the fuzzer tightens them.
struct ReadLimits {
  /// Values (cells and levels) a row group or column chunk may hold per byte of the file.
  /// Billing rows take far more than a byte each even when compressed; an all-null column
  /// can take almost nothing, which is why the bound is on the whole file.
  uint64_t values_per_file_byte = 256;
  /// The largest decompressed page, and the largest ratio of a page's decompressed size to
  /// the file's size.
  uint64_t max_page_bytes = uint64_t{1} << 31;
  uint64_t page_bytes_per_file_byte = 4096;
};

/// One top-level column of one row group, as text cells.
struct TextColumn {
  /// Where a cell's text lies in `text`. Cells of a dictionary-encoded column point at the
  /// dictionary entry's text, which is stored once, so many cells may share the same bytes.
  struct Span {
    uint32_t begin = 0;
    uint32_t length = 0;
  };
  std::string text;              // the cells' text (and dictionary entries), at most 4 GiB
  std::vector<Span> spans;       // spans[i]: cell i
  std::vector<uint8_t> is_null;  // 1 where the cell is null
  /// For a DOUBLE column read as binary (ReadRowGroup's `binary_doubles`): cell i's value,
  /// with an empty span and 0 where the cell is null. Empty for every other column.
  std::vector<double> doubles;

  size_t size() const { return spans.size(); }
  std::string_view cell(size_t i) const {
    return std::string_view(text.data() + spans[i].begin, spans[i].length);
  }
};

class ParquetFile {
 public:
  /// Open the file at `path` and read its footer; column data is read later, a row group at a
  /// time. Fails with kIo when it cannot be read and kInvalidInput naming the file when it is
  /// not a valid Parquet file. The file must not change while the object is in use.
  static Result<ParquetFile> Open(const std::string& path, ReadLimits limits = {});
  /// Read a file held in memory; `name` is used in messages. `bytes` must outlive the object.
  static Result<ParquetFile> FromBuffer(std::string_view bytes, std::string name,
                                        ReadLimits limits = {});

  ParquetFile(ParquetFile&&) noexcept;
  ParquetFile& operator=(ParquetFile&&) noexcept;
  ~ParquetFile();

  const std::string& name() const;
  /// The file's size in bytes.
  uint64_t file_size() const;
  /// Names of the top-level columns, in schema order.
  const std::vector<std::string>& column_names() const;
  /// Index of the top-level column `name`, or -1.
  int FindColumn(std::string_view name) const;
  size_t row_group_count() const;
  int64_t row_count(size_t row_group) const;
  int64_t total_rows() const;
  /// "parquet-mr version 1.8.2 ...": the writer, from the footer.
  const std::string& created_by() const;

  /// Decode the top-level columns `columns` (indexes into column_names()) of `row_group`,
  /// using up to `threads` threads. The result has one TextColumn per index, each with
  /// row_count(row_group) cells. Those of `binary_doubles` that are DOUBLE columns come as
  /// their binary values (TextColumn::doubles) rather than text, for a caller that converts
  /// them itself.
  Result<std::vector<TextColumn>> ReadRowGroup(size_t row_group, const std::vector<int>& columns,
                                               int threads = 1,
                                               const std::vector<int>& binary_doubles = {}) const;

 private:
  struct Impl;
  explicit ParquetFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// True when `head` (the first bytes of a file) starts with Parquet's magic "PAR1".
bool HasParquetMagic(std::string_view head);

}  // namespace rebill::parquet
