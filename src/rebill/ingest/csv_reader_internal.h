// CsvReader: a streaming reader of RFC 4180 records (quoted fields with delimiters, doubled
// quotes and line breaks; LF or CRLF) from a plain or gzip-compressed file. The compression is
// detected from the first bytes. Buffers are reused across records; fields are views valid until
// the next call to Next().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/result.h"

namespace rebill::ingest {

/// A stream of bytes from a file, decompressed if needed.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Read up to `size` bytes into `out`; 0 at the end. Errors name the file.
  virtual Result<size_t> Read(char* out, size_t size) = 0;
  /// "csv" or "csv.gz"
  virtual std::string_view compression() const = 0;

  /// Open `path`, detecting gzip from its magic bytes (1f 8b).
  static Result<std::unique_ptr<ByteSource>> Open(const std::string& path);
};

class CsvReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, std::string path, char delimiter = ',');

  /// Read the next record into `fields`. Returns false at the end of the input. Fails with
  /// kInvalidInput naming the file and record for an unterminated quoted field, and passes on
  /// read errors.
  Result<bool> Next(std::vector<std::string_view>& fields);

  /// 0 for the first record read (the header), 1 for the next, ...
  uint64_t record_index() const { return record_index_; }
  const std::string& path() const { return path_; }
  std::string_view compression() const { return source_->compression(); }

 private:
  Status Fill();
  std::unique_ptr<ByteSource> source_;
  std::string path_;
  char delimiter_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // start of unread data in buffer_
  size_t end_ = 0;    // end of valid data in buffer_
  bool eof_ = false;
  std::string scratch_;  // unescaped quoted fields of the current record
  uint64_t record_index_ = 0;
  uint64_t records_read_ = 0;
};

}  // namespace rebill::ingest
