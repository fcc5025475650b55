// CsvReader: a streaming reader of RFC 4180 records (quoted fields with delimiters, doubled
// quotes and line breaks; LF or CRLF) from a plain or gzip-compressed file. It also reads Hive
// text (what Athena's CTAS and `INSERT` write: `\x01` between fields, no quoting at all). The
// compression is detected from the first bytes, never from the file name. Buffers are reused across
// records; fields are views valid until the next call to Next(). The SHA-256 of the file's bytes is
// computed while they are read, so the file is read from disk once.
//
//   REBILL_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
//   CsvReader reader(std::move(source), path);
//   std::vector<std::string_view> fields;
//   while (true) {
//     REBILL_ASSIGN_OR_RETURN(bool more, reader.Next(fields));
//     if (!more) break;
//     ...
//   }
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/result.h"
#include "rebill/model/reject.h"

namespace rebill::ingest {

/// A stream of bytes from a file, decompressed if needed.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Read up to `size` (> 0) bytes into `out`; 0 at the end. Errors name the file.
  virtual Result<size_t> Read(char* out, size_t size) = 0;
  /// "csv" or "csv.gz"
  virtual std::string_view compression() const = 0;
  /// Lower-case hex SHA-256 of the file's bytes (compressed, as stored). Covers the whole file
  /// only once Read() has returned 0.
  virtual std::string Sha256Hex() const = 0;
  /// How much of the file as stored has been consumed so far, for progress reports.
  virtual uint64_t stored_bytes_read() const = 0;

  // A plain file is mapped into memory, so that its bytes are parsed where the page cache holds
  // them rather than copied out first. These three are for such a source; the others give an
  // empty view and do nothing.
  /// The whole file; valid while the source lives.
  virtual std::string_view InPlace() const { return {}; }
  /// Counts the bytes of InPlace() before `offset` as read (hashing them), as Read() would.
  virtual void ReadInPlaceUpTo(uint64_t offset) { (void)offset; }
  /// The bytes of InPlace() before `end` will not be looked at again: their pages may go.
  virtual void ReleaseUpTo(const char* end) { (void)end; }

  /// Open `path`, detecting gzip from its magic bytes (1f 8b).
  static Result<std::unique_ptr<ByteSource>> Open(const std::string& path);
};

/// The SHA-256 of the bytes of the file at `path` as stored, in lowercase hex, read in 1 MiB
/// pieces; for a file whose bytes are not read through a ByteSource (Parquet).
Result<std::string> FileSha256Hex(const std::string& path);

/// How many '"' bytes [begin, end) holds.
size_t CountQuotes(const char* begin, const char* end);

/// "64 MiB" for whole mebibytes, else "1500 bytes": a size in a message.
std::string DescribeBytes(size_t bytes);

/// Where a record scan is inside the current field. Quotes are special only at the start of a
/// field (RFC 4180); a quote inside an unquoted field is kept as text.
enum class ScanState : uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };

/// Scans data[i, end) from `state` for the line break that ends the record: its index, or `end`
/// (with `state` where the scan stopped, to go on from once there is more data).
size_t ScanToRecordEnd(const char* data, size_t i, size_t end, char delimiter, bool quoting,
                       ScanState& state);

/// True when the processor runs AVX2 instructions (the build itself assumes only SSE2).
bool ProcessorHasAvx2();

class CsvReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, std::string path, char delimiter = ',');
  /// Records of `data`, which must outlive the reader; a piece of a file cut at a record
  /// boundary, so that pieces are split in parallel. Record indexes count from 0 in the piece.
  CsvReader(std::string_view data, std::string path);

  /// Change how fields are split; only before the first Next(). Without quoting, '"' is an
  /// ordinary character (Hive text has no quoting, and its text fields may start with one).
  void SetDialect(char delimiter, bool quoting);
  /// A record longer than this is an error (IngestOptions::max_record_bytes).
  void SetMaxRecordBytes(size_t bytes) { max_record_bytes_ = std::max<size_t>(bytes, 1); }

  /// The first line of the input (without its line break) as far as it is in the first buffer
  /// (1 MiB), without consuming it; empty for an empty input. Only before the first Next(). The
  /// view is valid until the next call to Next(). Used to tell the dialect before splitting.
  Result<std::string_view> PeekFirstLine();

  /// Read the next record into `fields`. Returns false at the end of the input. Fails with
  /// kInvalidInput naming the file and record for an unterminated quoted field, and passes on
  /// read errors.
  Result<bool> Next(std::vector<std::string_view>& fields);

  /// 0 for the first record read (the header), 1 for the next, ...
  uint64_t record_index() const { return record_index_; }
  const std::string& path() const { return path_; }
  std::string_view compression() const { return source_->compression(); }
  /// See ByteSource::Sha256Hex(); complete once Next() has returned false.
  std::string Sha256Hex() const { return source_->Sha256Hex(); }
  uint64_t stored_bytes_read() const { return source_->stored_bytes_read(); }
  /// Whether records wholly in memory are split in one pass (the default) or by the general
  /// reader that every other record goes through; the two must agree on every input.
  void SetOnePassSplit(bool on) { one_pass_ = on; }
  /// Separators are found with AVX2 where the processor has it, else with SSE2; this keeps to
  /// SSE2 (for tests, which compare the two).
  void UseBaselineVectors() { avx2_ = false; }
  /// Only the fields with a nonzero entry in `wanted` (by column) are needed. Records split in
  /// one pass then leave the others empty or holding text of an earlier record of the same
  /// input; the number of fields stays exact. The first field is always read, so that a blank
  /// line can be told.
  void WantOnly(std::vector<uint8_t> wanted) {
    wanted_ = std::move(wanted);
    if (!wanted_.empty()) wanted_[0] = 1;
    next_wanted_.assign(wanted_.size() + 1, SIZE_MAX);
    for (size_t c = wanted_.size(); c-- > 0;) {
      next_wanted_[c] = wanted_[c] != 0 ? c : next_wanted_[c + 1];
    }
  }

  /// Records read so far.
  uint64_t records_read() const { return records_read_; }

  /// The bytes read from the source but not yet consumed by Next(), leaving none; the caller
  /// goes on reading the source itself.
  std::string TakeUnread();
  ByteSource& source() { return *source_; }
  bool source_at_end() const { return eof_; }

 private:
  Status Fill();
  /// Split the next record when the rest of the input is in memory, in one pass. Returns false
  /// (having consumed nothing) for a shape it leaves to the general reader: text after a quoted
  /// field's closing quote. Sets *error for a quoted field the input ends inside of.
  bool SplitWholeRecord(std::vector<std::string_view>& fields, Status* error);
  /// Adds the unquoted fields from `p` on while 64 bytes at a time are left. True when it
  /// stopped at a separator, left in `p`: a line break, or a delimiter followed by a quote or by
  /// the end. False when it reached the last 64 bytes first, `p` then at the field to go on with.
  bool SplitUnquotedRun(const char*& p, const char* end, std::vector<std::string_view>& fields,
                        size_t& col) const;
  // SplitUnquotedRun with the separators of a block found by Masks::Of, and its AVX2 build.
  template <class Masks>
  bool SplitRun(const char*& p, const char* end, std::vector<std::string_view>& fields,
                size_t& col) const;
  bool SplitUnquotedRunAvx2(const char*& p, const char* end, std::vector<std::string_view>& fields,
                            size_t& col) const;
  bool Wanted(size_t col) const {
    return wanted_.empty() || (col < wanted_.size() && wanted_[col] != 0);
  }
  /// The first wanted column from `col` on; SIZE_MAX when none is.
  size_t NextWanted(size_t col) const {
    return col < next_wanted_.size() ? next_wanted_[col] : SIZE_MAX;
  }
  /// Field `col` of the record being split in one pass; see WantOnly().
  void PutField(std::vector<std::string_view>& fields, size_t col, std::string_view text) const {
    if (col >= fields.size()) {
      fields.push_back(Wanted(col) ? text : std::string_view());
    } else if (Wanted(col)) {
      fields[col] = text;
    }
  }
  void SplitFields(std::string_view record, std::vector<std::string_view>& fields);

  std::unique_ptr<ByteSource> source_;
  std::string path_;
  char delimiter_;
  bool quoting_ = true;
  bool one_pass_ = true;
  bool avx2_ = ProcessorHasAvx2();
  std::vector<char> buffer_;
  const char* data_ = nullptr;  // buffer_'s bytes, or the piece given to the constructor
  size_t begin_ = 0;            // start of unread data in buffer_
  size_t end_ = 0;              // end of valid data in buffer_
  bool eof_ = false;
  std::string scratch_;  // unescaped quoted fields of the current record
  struct Unescaped {
    size_t field;
    size_t offset;  // in scratch_
    size_t size;
  };
  std::vector<Unescaped> unescaped_;
  std::vector<uint8_t> wanted_;      // empty: every field
  std::vector<size_t> next_wanted_;  // by column: NextWanted()
  uint64_t record_index_ = 0;
  uint64_t records_read_ = 0;
  size_t max_record_bytes_ = size_t{64} << 20;
};

/// The error for a quoted field that the input ends inside of; `row` counts records from 0.
Status UnclosedQuoteError(const std::string& path, uint64_t row);

/// The reject for a record whose field count differs from the header's (or, for a file without
/// a header, from the column list given for it: `against` = "the column list").
Reject FieldCountReject(const std::string& path, uint64_t row, size_t expected, size_t actual,
                        std::string_view against = "the header");

}  // namespace rebill::ingest
