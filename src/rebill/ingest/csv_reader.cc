#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "rebill/ingest/csv_reader_internal.h"

namespace rebill::ingest {
namespace {

constexpr size_t kChunk = 1 << 20;

class FileSource : public ByteSource {
 public:
  FileSource(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  ~FileSource() override { std::fclose(file_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> Read(char* out, size_t size) override {
    size_t n = std::fread(out, 1, size, file_);
    if (n == 0 && std::ferror(file_)) return IoError(path_ + ": read failed");
    return n;
  }
  std::string_view compression() const override { return "csv"; }

 protected:
  std::FILE* file_;
  std::string path_;
};

// Inflates gzip data, including files of several concatenated gzip members.
class GzipSource : public FileSource {
 public:
  GzipSource(std::FILE* file, std::string path) : FileSource(file, std::move(path)) {
    in_.resize(kChunk);
    std::memset(&stream_, 0, sizeof stream_);
    inflateInit2(&stream_, 15 + 16);
  }
  ~GzipSource() override { inflateEnd(&stream_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  Result<size_t> Read(char* out, size_t size) override {
    if (done_) return size_t{0};
    stream_.next_out = reinterpret_cast<Bytef*>(out);
    stream_.avail_out = static_cast<uInt>(size);
    while (stream_.avail_out == size) {
      if (stream_.avail_in == 0) {
        size_t n = std::fread(in_.data(), 1, in_.size(), file_);
        if (n == 0) {
          if (std::ferror(file_)) return IoError(path_ + ": read failed");
          if (in_member_) return Truncated("the gzip stream ends in the middle of the data");
          done_ = true;
          break;
        }
        stream_.next_in = reinterpret_cast<Bytef*>(in_.data());
        stream_.avail_in = static_cast<uInt>(n);
      }
      in_member_ = true;
      int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow; anything else after the last member is an error.
        in_member_ = false;
        inflateReset(&stream_);
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Truncated(stream_.msg != nullptr ? stream_.msg : "inflate failed");
      }
    }
    return size - stream_.avail_out;
  }
  std::string_view compression() const override { return "csv.gz"; }

 private:
  Status Truncated(const std::string& why) const {
    return InvalidInput(path_ + ": the gzip data is truncated or corrupt (" + why +
                        "); download the file again");
  }
  z_stream stream_;
  std::vector<char> in_;
  bool in_member_ = false;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> ByteSource::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  unsigned char magic[2] = {0, 0};
  size_t n = std::fread(magic, 1, 2, file);
  std::rewind(file);
  if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    return std::unique_ptr<ByteSource>(new GzipSource(file, path));
  }
  return std::unique_ptr<ByteSource>(new FileSource(file, path));
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, std::string path, char delimiter)
    : source_(std::move(source)), path_(std::move(path)), delimiter_(delimiter) {
  buffer_.resize(kChunk);
}

Status CsvReader::Fill() {
  // Keep the unread tail, then read more behind it; grow when a record is larger than the buffer.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  REBILL_ASSIGN_OR_RETURN(size_t n, source_->Read(buffer_.data() + end_, buffer_.size() - end_));
  if (n == 0) eof_ = true;
  end_ += n;
  return Status::Ok();
}

Result<bool> CsvReader::Next(std::vector<std::string_view>& fields) {
  fields.clear();
  // Find the end of the record, refilling until a full record (or the end) is in the buffer.
  size_t scan = begin_;
  bool quoted = false;
  size_t record_end = 0;
  for (;;) {
    const char* data = buffer_.data();
    size_t i = scan;
    bool found = false;
    for (; i < end_; ++i) {
      char c = data[i];
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\n' && !quoted) {
        found = true;
        break;
      }
    }
    if (found) {
      record_end = i;
      break;
    }
    if (eof_) {
      if (begin_ == end_) return false;
      if (quoted) {
        return InvalidInput(path_ + ": row " + std::to_string(records_read_) +
                            ": a quoted field is never closed (unbalanced '\"'); the file is "
                            "truncated or damaged");
      }
      record_end = end_;
      break;
    }
    size_t offset = i - begin_;
    REBILL_RETURN_IF_ERROR(Fill());
    scan = begin_ + offset;
  }

  record_index_ = records_read_++;
  size_t line_end = record_end;
  if (line_end > begin_ && buffer_[line_end - 1] == '\r') --line_end;
  std::string_view record(buffer_.data() + begin_, line_end - begin_);
  begin_ = record_end < end_ ? record_end + 1 : end_;

  scratch_.clear();
  scratch_.reserve(record.size());
  size_t pos = 0;
  for (;;) {
    if (pos < record.size() && record[pos] == '"') {
      // Quoted field: unescape "" into scratch (reserved above, so views stay valid).
      size_t start = scratch_.size();
      size_t i = pos + 1;
      for (;;) {
        if (i >= record.size()) break;
        if (record[i] == '"') {
          if (i + 1 < record.size() && record[i + 1] == '"') {
            scratch_.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        scratch_.push_back(record[i++]);
      }
      // Text after the closing quote up to the delimiter is kept (lenient, as spreadsheets).
      while (i < record.size() && record[i] != delimiter_) scratch_.push_back(record[i++]);
      fields.emplace_back(scratch_.data() + start, scratch_.size() - start);
      pos = i;
    } else {
      size_t next = record.find(delimiter_, pos);
      if (next == std::string_view::npos) next = record.size();
      fields.push_back(record.substr(pos, next - pos));
      pos = next;
    }
    if (pos >= record.size()) break;
    ++pos;  // the delimiter
    if (pos == record.size()) {
      fields.emplace_back();  // a trailing delimiter ends with an empty field
      break;
    }
  }
  return true;
}

}  // namespace rebill::ingest
