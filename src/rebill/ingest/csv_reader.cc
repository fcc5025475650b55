#include <isa-l/igzip_lib.h>
#include <zip.h>

#ifdef __x86_64__
#include <immintrin.h>
#endif

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "rebill/core/sha256.h"
#include "rebill/ingest/csv_reader_internal.h"

namespace rebill::ingest {
namespace {

constexpr size_t kChunk = 1 << 20;

// SHA-256 on a thread of its own. Over a plain CSV it costs about as much as splitting the rows
// does, and on the reading thread it held back the workers the reading thread feeds. Chunks are
// copied (a small cost next to the hash), or taken in place where their bytes stay put (a
// mapped file), a few at most at a time.
class BackgroundSha256 {
 public:
  BackgroundSha256() : thread_([this] { Run(); }) {}
  ~BackgroundSha256() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  BackgroundSha256(const BackgroundSha256&) = delete;
  BackgroundSha256& operator=(const BackgroundSha256&) = delete;

  void Update(const char* data, size_t size) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return pending_.size() < kMaxPending; });
    std::string chunk;
    if (!spare_.empty()) {
      chunk = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    chunk.assign(data, size);
    lock.lock();
    pending_.push_back({std::move(chunk), {}});
    changed_.notify_all();
  }
  /// Update() without a copy, for bytes that stay where they are until Wait() has returned.
  void UpdateInPlace(std::string_view bytes) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return pending_.size() < kMaxPending; });
    pending_.push_back({{}, bytes});
    changed_.notify_all();
  }
  /// How many bytes are hashed so far.
  uint64_t hashed() const { return hashed_.load(std::memory_order_acquire); }

  /// The digest of everything given so far, once it is all hashed.
  std::string Hex() const {
    Wait();
    return sha_.Hex();
  }
  /// Until everything given so far is hashed.
  void Wait() const {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return pending_.empty() && !busy_; });
  }

 private:
  static constexpr size_t kMaxPending = 8;

  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      changed_.wait(lock, [&] { return closing_ || !pending_.empty(); });
      if (pending_.empty()) return;
      Pending chunk = std::move(pending_.front());
      pending_.pop_front();
      busy_ = true;
      lock.unlock();
      std::string_view bytes = chunk.copy.empty() ? chunk.in_place : chunk.copy;
      sha_.Update(bytes);
      hashed_.fetch_add(bytes.size(), std::memory_order_release);
      lock.lock();
      busy_ = false;
      if (!chunk.copy.empty()) spare_.push_back(std::move(chunk.copy));
      changed_.notify_all();
    }
  }

  struct Pending {
    std::string copy;           // the bytes, copied
    std::string_view in_place;  // or where they are, when `copy` is empty
  };

  Sha256 sha_;  // written by thread_ only while busy_
  std::atomic<uint64_t> hashed_{0};
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::deque<Pending> pending_;
  std::vector<std::string> spare_;
  bool busy_ = false;
  bool closing_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

// The file as stored, hashed as it is read so that the bytes come off the disk once.
class RawFile {
 public:
  /// Where the bytes read are hashed. The reader of a plain file mostly waits for the parsers,
  /// so it hashes what it reads while the bytes are in its cache; a thread that inflates what
  /// it reads is the one the parsers wait for, so the hashing goes to a thread of its own.
  enum class Hashing { kOnThisThread, kInTheBackground };

  RawFile(std::FILE* file, std::string path, Hashing hashing)
      : file_(file),
        path_(std::move(path)),
        background_(hashing == Hashing::kInTheBackground ? std::make_unique<BackgroundSha256>()
                                                         : nullptr) {}
  ~RawFile() { std::fclose(file_); }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;

  Result<size_t> Read(char* out, size_t size) {
    size_t n = std::fread(out, 1, size, file_);
    if (n == 0 && std::ferror(file_)) {
      return IoError(path_ + ": read failed: " + std::strerror(errno));
    }
    if (n > 0) {
      if (background_ != nullptr) {
        background_->Update(out, n);
      } else {
        sha_.Update(std::string_view(out, n));
      }
    }
    bytes_ += n;
    return n;
  }
  uint64_t bytes() const { return bytes_; }

  std::string Sha256Hex() const { return background_ != nullptr ? background_->Hex() : sha_.Hex(); }

  const std::string& path() const { return path_; }

 private:
  std::FILE* file_;
  std::string path_;
  Sha256 sha_;
  std::unique_ptr<BackgroundSha256> background_;
  uint64_t bytes_ = 0;
};

// While a plain file is mapped, a read of a page the file no longer has (it was truncated by
// another program meanwhile) raises SIGBUS. That ends the process with the exit code of bad
// input and a message saying what happened; nothing is written before a file is read whole.
std::atomic<const char*> g_mapped_path{nullptr};

void OnBusError(int signal) {
  const char* path = g_mapped_path.load();
  if (path == nullptr) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  auto say = [](const char* text) { (void)!::write(STDERR_FILENO, text, std::strlen(text)); };
  say("rebill: ");
  say(path);
  say(": the file became shorter while it was being read (is it still being copied?); nothing "
      "was ingested. Ingest it again once it is complete.\n");
  ::_exit(3);
}

class MappedSource : public ByteSource {
 public:
  static Result<std::unique_ptr<ByteSource>> Open(int fd, const std::string& path, uint64_t size) {
    static std::once_flag installed;
    std::call_once(installed, [] {
      struct sigaction action {};
      action.sa_handler = OnBusError;
      sigemptyset(&action.sa_mask);
      sigaction(SIGBUS, &action, nullptr);
    });
    void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) return IoError(path + ": cannot map: " + std::strerror(errno));
    ::madvise(base, size, MADV_SEQUENTIAL);
    return std::unique_ptr<ByteSource>(
        new MappedSource(static_cast<const char*>(base), size, path));
  }
  ~MappedSource() override {
    sha_.Wait();  // it reads the mapping
    const char* mine = path_.c_str();
    g_mapped_path.compare_exchange_strong(mine, nullptr);
    ::munmap(const_cast<char*>(base_), size_);
  }

  Result<size_t> Read(char* out, size_t size) override {
    size_t n = std::min<uint64_t>(size, size_ - pos_);
    std::memcpy(out, base_ + pos_, n);
    ReadInPlaceUpTo(pos_ + n);
    return n;
  }
  std::string_view compression() const override { return "csv"; }
  uint64_t stored_bytes_read() const override { return pos_; }
  std::string Sha256Hex() const override { return sha_.Hex(); }

  std::string_view InPlace() const override { return {base_, size_}; }
  void ReadInPlaceUpTo(uint64_t offset) override {
    if (offset <= pos_) return;
    offset = std::min(offset, size_);
    sha_.UpdateInPlace(std::string_view(base_ + pos_, offset - pos_));
    pos_ = offset;
  }
  void ReleaseUpTo(const char* end) override {
    // A piece read into a buffer (not from this mapping) releases nothing.
    const auto at = reinterpret_cast<uintptr_t>(end);
    const auto base = reinterpret_cast<uintptr_t>(base_);
    if (at < base || at > base + size_) return;
    // Whole pages only: the page `end` lies in may still hold bytes to read. Nor past what is
    // hashed: a page let go before the hash reads it would be mapped again, and stay.
    const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    uint64_t upto = std::min<uint64_t>(at - base, sha_.hashed()) / page * page;
    if (upto <= released_) return;
    // The pages stay in the page cache; only this process stops counting them as its memory.
    ::madvise(const_cast<char*>(base_) + released_, upto - released_, MADV_DONTNEED);
    released_ = upto;
  }

 private:
  MappedSource(const char* base, uint64_t size, std::string path)
      : base_(base), size_(size), path_(std::move(path)) {
    g_mapped_path = path_.c_str();
  }
  const char* base_;
  uint64_t size_;
  std::string path_;
  uint64_t pos_ = 0;
  uint64_t released_ = 0;
  // Hashing on the reading thread made it the one the workers waited for; the hash reads the
  // mapping in place on a thread of its own.
  BackgroundSha256 sha_;
};

class PlainSource : public ByteSource {
 public:
  PlainSource(std::FILE* file, std::string path)
      : file_(file, std::move(path), RawFile::Hashing::kOnThisThread) {}

  Result<size_t> Read(char* out, size_t size) override { return file_.Read(out, size); }
  std::string_view compression() const override { return "csv"; }
  uint64_t stored_bytes_read() const override { return file_.bytes(); }
  std::string Sha256Hex() const override { return file_.Sha256Hex(); }

 private:
  RawFile file_;
};

// Inflates gzip data, including files of several concatenated gzip members (what `cat a.gz
// b.gz` and parallel compressors write). ISA-L rather than zlib: it inflates CUR text about
// twice as fast, and in gzip mode it still checks each member's header, CRC-32 and length.
class GzipSource : public ByteSource {
 public:
  GzipSource(std::FILE* file, std::string path)
      : file_(file, std::move(path), RawFile::Hashing::kInTheBackground),
        state_(std::make_unique<inflate_state>()) {
    in_.resize(kChunk);
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
  }

  Result<size_t> Read(char* out, size_t size) override {
    if (done_) return size_t{0};
    inflate_state& s = *state_;
    size = std::min<size_t>(size, UINT32_MAX);
    s.next_out = reinterpret_cast<uint8_t*>(out);
    s.avail_out = static_cast<uint32_t>(size);
    while (s.avail_out > 0) {
      if (s.avail_in == 0 && !eof_) {
        REBILL_ASSIGN_OR_RETURN(size_t n, file_.Read(in_.data(), in_.size()));
        eof_ = n == 0;
        s.next_in = reinterpret_cast<uint8_t*>(in_.data());
        s.avail_in = static_cast<uint32_t>(n);
      }
      if (s.block_state == ISAL_BLOCK_FINISH) {
        if (s.avail_in == 0) {
          done_ = true;
          break;
        }
        // ISA-L only reports a bad header once it holds all ten bytes; a short tail of
        // garbage would otherwise read as a truncated member.
        if (s.next_in[0] != 0x1f || (s.avail_in > 1 && s.next_in[1] != 0x8b)) {
          return Corrupt("the bytes after a complete gzip member are not another member");
        }
        isal_inflate_reset(&s);
        s.crc_flag = ISAL_GZIP;
      }
      uint32_t avail_out_before = s.avail_out;
      int rc = isal_inflate(&s);
      if (rc < 0) return Corrupt(Describe(rc));
      // isal_inflate returns when it has used all the input, filled the output or finished the
      // member; with the file at its end, a call that yields nothing cannot finish it.
      if (s.block_state != ISAL_BLOCK_FINISH && eof_ && s.avail_in == 0 &&
          s.avail_out == avail_out_before) {
        return Corrupt("the data ends in the middle of a gzip member");
      }
    }
    return size - s.avail_out;
  }
  std::string_view compression() const override { return "csv.gz"; }
  uint64_t stored_bytes_read() const override { return file_.bytes(); }
  std::string Sha256Hex() const override { return file_.Sha256Hex(); }

 private:
  static std::string Describe(int rc) {
    switch (rc) {
      case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
      case ISAL_INVALID_SYMBOL:
        return "invalid deflate code";
      case ISAL_INVALID_LOOKBACK:
        return "back-reference before the start of the data";
      case ISAL_INVALID_WRAPPER:
        return "not a gzip header";
      case ISAL_UNSUPPORTED_METHOD:
        return "compression method is not deflate";
      case ISAL_INCORRECT_CHECKSUM:
        return "CRC-32 or length does not match the data";
      default:
        return "ISA-L error " + std::to_string(rc);
    }
  }

  Status Corrupt(const std::string& why) const {
    return InvalidInput(file_.path() + ": the gzip stream is truncated or corrupt (" + why +
                        "); re-download the file");
  }

  RawFile file_;
  // Some 85 KB of decoding tables and history, so it lives on the heap on its own.
  std::unique_ptr<inflate_state> state_;
  std::vector<char> in_;
  bool eof_ = false;
  bool done_ = false;
};

// The one CSV inside a `.csv.zip` (legacy CUR with ZIP compression), inflated as it is read.
// libzip needs to seek to the central directory, so the file's hash is taken in a first pass.
class ZipSource : public ByteSource {
 public:
  static Result<std::unique_ptr<ByteSource>> Open(std::FILE* file, const std::string& path) {
    RawFile raw(file, path, RawFile::Hashing::kOnThisThread);
    std::vector<char> chunk(kChunk);
    for (;;) {
      REBILL_ASSIGN_OR_RETURN(size_t n, raw.Read(chunk.data(), chunk.size()));
      if (n == 0) break;
    }
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
    if (archive == nullptr) {
      zip_error_t ze;
      zip_error_init_with_code(&ze, error);
      std::string message = zip_error_strerror(&ze);
      zip_error_fini(&ze);
      return InvalidInput(path + ": not a readable zip archive (" + message +
                          "); copy the file again from the bucket");
    }
    auto source = std::unique_ptr<ZipSource>(new ZipSource(archive, path, raw.Sha256Hex()));
    zip_int64_t entries = zip_get_num_entries(archive, 0);
    if (entries != 1) {
      return InvalidInput(path + ": the zip archive holds " + std::to_string(entries) +
                          " files; a CUR zip holds exactly one CSV");
    }
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive, 0, 0, &stat) == 0 && (stat.valid & ZIP_STAT_SIZE) != 0) {
      source->uncompressed_ = stat.size;
    }
    source->stored_ = raw.bytes();
    source->entry_ = zip_fopen_index(archive, 0, 0);
    if (source->entry_ == nullptr) {
      return InvalidInput(path +
                          ": cannot open the CSV inside the zip archive: " + zip_strerror(archive));
    }
    return std::unique_ptr<ByteSource>(std::move(source));
  }
  ~ZipSource() override {
    if (entry_ != nullptr) zip_fclose(entry_);
    zip_discard(archive_);
  }
  ZipSource(const ZipSource&) = delete;
  ZipSource& operator=(const ZipSource&) = delete;

  Result<size_t> Read(char* out, size_t size) override {
    zip_int64_t n = zip_fread(entry_, out, size);
    if (n < 0) {
      return InvalidInput(path_ + ": the zip archive is damaged: " + zip_file_strerror(entry_) +
                          "; copy the file again from the bucket");
    }
    inflated_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
  std::string_view compression() const override { return "csv.zip"; }
  // The archive was read whole for its hash; progress is the share of the CSV inflated so far.
  uint64_t stored_bytes_read() const override {
    if (uncompressed_ == 0) return stored_;
    return static_cast<uint64_t>(
        static_cast<double>(stored_) *
        (static_cast<double>(inflated_) / static_cast<double>(uncompressed_)));
  }
  std::string Sha256Hex() const override { return sha256_; }

 private:
  ZipSource(zip_t* archive, std::string path, std::string sha256)
      : archive_(archive), path_(std::move(path)), sha256_(std::move(sha256)) {}
  zip_t* archive_;
  zip_file_t* entry_ = nullptr;
  std::string path_;
  std::string sha256_;
  uint64_t stored_ = 0;
  uint64_t uncompressed_ = 0;
  uint64_t inflated_ = 0;
};

}  // namespace

Result<std::string> FileSha256Hex(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
  // Hashed on the calling thread as each piece is read: the caller runs this beside its own
  // work, and nothing else reads these bytes, so they are not copied again for a hashing
  // thread.
  Sha256 sha;
  std::vector<char> piece(kChunk);
  for (;;) {
    size_t n = std::fread(piece.data(), 1, piece.size(), file);
    if (n == 0 && std::ferror(file)) {
      return IoError(path + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) break;
    sha.Update(std::string_view(piece.data(), n));
  }
  return sha.Hex();
}

Result<std::unique_ptr<ByteSource>> ByteSource::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  unsigned char magic[4] = {0, 0, 0, 0};
  size_t n = std::fread(magic, 1, 4, file);
  if (std::ferror(file) || std::fseek(file, 0, SEEK_SET) != 0) {
    std::string error = std::strerror(errno);
    std::fclose(file);
    return IoError(path + ": read failed: " + error);
  }
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    return std::unique_ptr<ByteSource>(new GzipSource(file, path));
  }
  if (n == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
    return ZipSource::Open(file, path);
  }
  struct stat st {};
  if (::fstat(::fileno(file), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    Result<std::unique_ptr<ByteSource>> mapped =
        MappedSource::Open(::fileno(file), path, static_cast<uint64_t>(st.st_size));
    std::fclose(file);  // the mapping keeps the file's pages
    return mapped;
  }
  return std::unique_ptr<ByteSource>(new PlainSource(file, path));
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, std::string path, char delimiter)
    : source_(std::move(source)), path_(std::move(path)), delimiter_(delimiter) {
  buffer_.resize(kChunk);
  data_ = buffer_.data();
}

CsvReader::CsvReader(std::string_view data, std::string path)
    : path_(std::move(path)), delimiter_(','), data_(data.data()), end_(data.size()), eof_(true) {}

std::string CsvReader::TakeUnread() {
  std::string rest(data_ + begin_, end_ - begin_);
  begin_ = end_;
  return rest;
}

Status UnclosedQuoteError(const std::string& path, uint64_t row) {
  return InvalidInput(path + ": row " + std::to_string(row) +
                      ": a quoted field is never closed (unbalanced '\"'); the file is "
                      "truncated or damaged, re-download it");
}

void CsvReader::SetDialect(char delimiter, bool quoting) {
  delimiter_ = delimiter;
  quoting_ = quoting;
}

Result<std::string_view> CsvReader::PeekFirstLine() {
  if (end_ == 0 && !eof_) REBILL_RETURN_IF_ERROR(Fill());
  std::string_view data(data_ + begin_, end_ - begin_);
  size_t newline = data.find('\n');
  if (newline != std::string_view::npos) data = data.substr(0, newline);
  if (!data.empty() && data.back() == '\r') data.remove_suffix(1);
  return data;
}

Status CsvReader::Fill() {
  // Keep the unread tail, then read more behind it; grow when a record is larger than the buffer.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) {
    // One record fills the buffer. No billing row is this long: rather than read the rest of
    // the file into memory, say what is wrong.
    if (buffer_.size() >= max_record_bytes_) {
      return InvalidInput(path_ + ": " +
                          (records_read_ == 0 ? std::string("the first line")
                                              : "row " + std::to_string(records_read_)) +
                          " runs on for more than " + DescribeBytes(buffer_.size()) +
                          ": a quoted field is never closed, or this is not a CSV billing file; "
                          "re-download it");
    }
    buffer_.resize(std::min(buffer_.size() * 2, std::max(max_record_bytes_, buffer_.size())));
  }
  data_ = buffer_.data();
  REBILL_ASSIGN_OR_RETURN(size_t n, source_->Read(buffer_.data() + end_, buffer_.size() - end_));
  if (n == 0) eof_ = true;
  end_ += n;
  return Status::Ok();
}

namespace {

// The first `delimiter` or line break at or after `p`, or `end`.
const char* FindFieldEnd(const char* p, const char* end, char delimiter) {
#ifdef __SSE2__
  const __m128i delimiters = _mm_set1_epi8(delimiter);
  const __m128i breaks = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    int hits = _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, delimiters), _mm_cmpeq_epi8(bytes, breaks)));
    if (hits != 0) return p + __builtin_ctz(static_cast<unsigned>(hits));
    p += 16;
  }
#endif
  while (p < end && *p != delimiter && *p != '\n') ++p;
  return p;
}

// Without the POPCNT instruction, which the baseline x86-64 lacks.
uint64_t Popcount(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return (x * 0x0101010101010101ULL) >> 56;
}

// Bit i of each mask stands for byte p[i] of a 64-byte block.
struct BlockMasks {
  uint64_t separators = 0;  // the delimiter or a line break
  uint64_t breaks = 0;      // a line break
  uint64_t quotes = 0;
};

// The separators, line breaks and quotes of a 64-byte block, sixteen bytes at a time.
struct SseMasks {
  static BlockMasks Of(const char* p, char delimiter) {
    BlockMasks m;
#ifdef __SSE2__
    const __m128i delimiters = _mm_set1_epi8(delimiter);
    const __m128i breaks = _mm_set1_epi8('\n');
    const __m128i quotes = _mm_set1_epi8('"');
    for (int i = 0; i < 4; ++i) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      __m128i is_break = _mm_cmpeq_epi8(bytes, breaks);
      auto separators = static_cast<uint32_t>(
          _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(bytes, delimiters), is_break)));
      m.separators |= static_cast<uint64_t>(separators) << (16 * i);
      m.breaks |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(is_break)))
                  << (16 * i);
      m.quotes |= static_cast<uint64_t>(
                      static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quotes))))
                  << (16 * i);
    }
#else
    for (int i = 0; i < 64; ++i) {
      uint64_t bit = uint64_t{1} << i;
      if (p[i] == delimiter || p[i] == '\n') m.separators |= bit;
      if (p[i] == '\n') m.breaks |= bit;
      if (p[i] == '"') m.quotes |= bit;
    }
#endif
    return m;
  }
};

#ifdef __x86_64__
// The same, thirty-two bytes at a time: half the instructions, on a processor that has AVX2.
struct Avx2Masks {
  __attribute__((target("avx2"))) static BlockMasks Of(const char* p, char delimiter) {
    const __m256i delimiters = _mm256_set1_epi8(delimiter);
    const __m256i breaks = _mm256_set1_epi8('\n');
    const __m256i quotes = _mm256_set1_epi8('"');
    BlockMasks m;
    for (int i = 0; i < 2; ++i) {
      __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * i));
      __m256i is_break = _mm256_cmpeq_epi8(bytes, breaks);
      auto separators = static_cast<uint32_t>(
          _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(bytes, delimiters), is_break)));
      m.separators |= static_cast<uint64_t>(separators) << (32 * i);
      m.breaks |= static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(is_break)))
                  << (32 * i);
      m.quotes |= static_cast<uint64_t>(
                      static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, quotes))))
                  << (32 * i);
    }
    return m;
  }
};
#endif

}  // namespace

#ifdef __x86_64__
namespace {
// CountQuotes 32 bytes at a time: the reading thread spends a twentieth of a CSV.gz ingest's CPU
// counting quotes. The same per-byte counters as below, summed every 255 blocks.
__attribute__((target("avx2"))) size_t CountQuotesAvx2(const char* begin, const char* end) {
  size_t n = 0;
  const char* p = begin;
  const __m256i quotes = _mm256_set1_epi8('"');
  while (end - p >= 32) {
    __m256i counts = _mm256_setzero_si256();
    for (int block = 0; block < 255 && end - p >= 32; ++block, p += 32) {
      __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      counts = _mm256_sub_epi8(counts, _mm256_cmpeq_epi8(bytes, quotes));
    }
    __m256i sums = _mm256_sad_epu8(counts, _mm256_setzero_si256());
    n += static_cast<size_t>(_mm256_extract_epi64(sums, 0)) +
         static_cast<size_t>(_mm256_extract_epi64(sums, 1)) +
         static_cast<size_t>(_mm256_extract_epi64(sums, 2)) +
         static_cast<size_t>(_mm256_extract_epi64(sums, 3));
  }
  for (; p < end; ++p) n += *p == '"' ? 1 : 0;
  return n;
}
}  // namespace
#endif

size_t CountQuotes(const char* begin, const char* end) {
#ifdef __x86_64__
  if (ProcessorHasAvx2()) return CountQuotesAvx2(begin, end);
#endif
  size_t n = 0;
  const char* p = begin;
#ifdef __SSE2__
  // The reading thread counts every byte of every piece: 16 at a time keeps it ahead of the
  // workers it feeds. Each matching byte subtracts -1 from a per-byte counter, summed every 255
  // blocks before a counter could wrap (SSE2 has no population count).
  const __m128i quotes = _mm_set1_epi8('"');
  while (end - p >= 16) {
    __m128i counts = _mm_setzero_si128();
    for (int block = 0; block < 255 && end - p >= 16; ++block, p += 16) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(bytes, quotes));
    }
    __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    n += static_cast<size_t>(_mm_cvtsi128_si32(sums)) +
         static_cast<size_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; p < end; ++p) n += *p == '"' ? 1 : 0;
  return n;
}

bool ProcessorHasAvx2() {
#ifdef __x86_64__
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}

template <class Masks>
[[gnu::always_inline]] inline bool CsvReader::SplitRun(const char*& p, const char* end,
                                                       std::vector<std::string_view>& fields,
                                                       size_t& col) const {
  // Most CUR fields are a few bytes long or empty, and most are not read: the separators of 64
  // bytes at a time are found at once and their bits walked, instead of searching for each
  // field's end in turn. A run of fields nobody reads is stepped over a bit at a time, and the
  // vector of fields only grows to where a field is put. The field's start and column are kept
  // in locals (`p` and `col` are the caller's) so that they stay in registers.
  const char* field = p;
  size_t c = col;
  auto stop_at = [&](const char* at) {
    if (fields.size() < c) fields.resize(c);
    p = at;
    col = c;
  };
  const char* block = field;
  while (end - block >= 64) {
    BlockMasks m = Masks::Of(block, delimiter_);
    // The separators the run stops at, for the caller's general step: a line break, a
    // delimiter followed by a quote (a quoted field) or by the end of the input.
    uint64_t next_is_quote = 0;
    if (quoting_) {
      next_is_quote = m.quotes >> 1;
      if (end - block > 64 && block[64] == '"') next_is_quote |= uint64_t{1} << 63;
    }
    uint64_t last_byte = end - block == 64 ? uint64_t{1} << 63 : 0;
    uint64_t stops = m.separators & (m.breaks | next_is_quote | last_byte);
    uint64_t mask = m.separators;
    while (mask != 0) {
      if (!Wanted(c)) {
        // Up to the next wanted field or the next stop, whichever comes first.
        size_t next = NextWanted(c);
        // The rest of the block at once when all its fields are unread and none stops the run
        // (a CUR's product columns, mostly unread, span several blocks).
        const uint64_t left = Popcount(mask);
        if (next - c >= left && (mask & stops) == 0) {
          field = block + (63 - __builtin_clzll(mask)) + 1;
          c += left;
          break;
        }
        while (mask != 0 && c < next && (mask & -mask & stops) == 0) {
          field = block + __builtin_ctzll(mask) + 1;
          mask &= mask - 1;
          ++c;
        }
        if (mask == 0 || c == next) continue;
        // A stop that ends a field nobody reads.
        ++c;
        stop_at(block + __builtin_ctzll(mask));
        return true;
      }
      const char* sep = block + __builtin_ctzll(mask);
      const char* text_end = sep;
      if (*sep == '\n' && text_end > field && text_end[-1] == '\r') --text_end;
      if (fields.size() < c) fields.resize(c);
      PutField(fields, c, std::string_view(field, static_cast<size_t>(text_end - field)));
      ++c;
      if ((mask & -mask & stops) != 0) {
        stop_at(sep);
        return true;
      }
      field = sep + 1;
      mask &= mask - 1;
    }
    block += 64;
  }
  // The caller puts the next field at `col`.
  stop_at(field);
  return false;
}

bool CsvReader::SplitUnquotedRun(const char*& p, const char* end,
                                 std::vector<std::string_view>& fields, size_t& col) const {
  if (avx2_) return SplitUnquotedRunAvx2(p, end, fields, col);
  return SplitRun<SseMasks>(p, end, fields, col);
}

#ifdef __x86_64__
// The body is inlined here, where AVX2 instructions are allowed, and Avx2Masks::Of with it.
__attribute__((target("avx2"))) bool CsvReader::SplitUnquotedRunAvx2(
    const char*& p, const char* end, std::vector<std::string_view>& fields, size_t& col) const {
  return SplitRun<Avx2Masks>(p, end, fields, col);
}
#else
// Never called: without x86-64 there is no AVX2 (ProcessorHasAvx2).
bool CsvReader::SplitUnquotedRunAvx2(const char*& p, const char* end,
                                     std::vector<std::string_view>& fields, size_t& col) const {
  return SplitRun<SseMasks>(p, end, fields, col);
}
#endif

bool CsvReader::SplitWholeRecord(std::vector<std::string_view>& fields, Status* error) {
  // One pass over a record that is wholly in memory: fields are views into the data, and only
  // quoted fields with doubled quotes are copied (to scratch_, patched in once it stops growing).
  const char* p = data_ + begin_;
  const char* end = data_ + end_;
  size_t col = 0;
  scratch_.clear();
  unescaped_.clear();
  for (;;) {
    if (quoting_ && p < end && *p == '"') {
      const char* start = p + 1;
      const char* q = start;
      size_t copy_from = std::string::npos;
      for (;;) {
        const void* found = std::memchr(q, '"', static_cast<size_t>(end - q));
        if (found == nullptr) {
          *error = UnclosedQuoteError(path_, records_read_);
          return true;
        }
        const char* quote = static_cast<const char*>(found);
        if (quote + 1 < end && quote[1] == '"') {
          if (copy_from == std::string::npos) copy_from = scratch_.size();
          scratch_.append(q, static_cast<size_t>(quote + 1 - q));
          q = quote + 2;
          continue;
        }
        if (copy_from == std::string::npos) {
          PutField(fields, col++, std::string_view(start, static_cast<size_t>(quote - start)));
        } else {
          scratch_.append(q, static_cast<size_t>(quote - q));
          unescaped_.push_back({col, copy_from, scratch_.size() - copy_from});
          PutField(fields, col++, std::string_view());
        }
        p = quote + 1;
        break;
      }
      // Text between the closing quote and the delimiter: the general reader keeps it.
      bool crlf = p + 1 < end && p[0] == '\r' && p[1] == '\n';
      if (p < end && *p != delimiter_ && *p != '\n' && !crlf && !(p + 1 == end && *p == '\r')) {
        return false;
      }
      if (crlf || (p + 1 == end && *p == '\r')) ++p;
    } else if (!SplitUnquotedRun(p, end, fields, col)) {
      const char* field_end = FindFieldEnd(p, end, delimiter_);
      const char* text_end = field_end;
      if ((field_end == end || *field_end == '\n') && text_end > p && text_end[-1] == '\r') {
        --text_end;
      }
      PutField(fields, col++, std::string_view(p, static_cast<size_t>(text_end - p)));
      p = field_end;
    }
    if (p == end || *p == '\n') break;
    ++p;  // the delimiter
    if (p == end) {
      PutField(fields, col++, std::string_view());  // a trailing delimiter: an empty field
      break;
    }
  }
  fields.resize(col);
  for (const Unescaped& u : unescaped_) fields[u.field] = {scratch_.data() + u.offset, u.size};
  record_index_ = records_read_++;
  begin_ = p < end ? static_cast<size_t>(p - data_) + 1 : end_;
  return true;
}

std::string DescribeBytes(size_t bytes) {
  constexpr size_t kMiB = size_t{1} << 20;
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

size_t ScanToRecordEnd(const char* data, size_t i, size_t end, char delimiter, bool quoting,
                       ScanState& state) {
  while (i < end) {
    if (state == ScanState::kQuoted) {
      const void* quote = std::memchr(data + i, '"', end - i);
      if (quote == nullptr) return end;
      i = static_cast<size_t>(static_cast<const char*>(quote) - data) + 1;
      state = ScanState::kQuoteInQuoted;
      continue;
    }
    char c = data[i];
    if (c == '\n') return i;
    if (c == delimiter) {
      state = ScanState::kFieldStart;
    } else if (c == '"' && quoting && state != ScanState::kUnquoted) {
      // Opens a quoted field, or is the second half of a doubled quote inside one.
      state = ScanState::kQuoted;
    } else {
      state = ScanState::kUnquoted;
    }
    ++i;
  }
  return end;
}

Result<bool> CsvReader::Next(std::vector<std::string_view>& fields) {
  // With WantOnly(), the one-pass split overwrites the wanted fields in place.
  if (wanted_.empty() || !(eof_ && one_pass_)) fields.clear();
  if (eof_ && one_pass_) {
    if (begin_ == end_) return false;
    Status error;
    if (SplitWholeRecord(fields, &error)) {
      if (!error.ok()) return error;
      return true;
    }
    fields.clear();
  }
  // Find the end of the record, refilling until a whole record (or the end) is in the buffer.
  // The scan state survives refills, so a record is scanned once however it is split.
  size_t scan = begin_;
  ScanState state = ScanState::kFieldStart;
  size_t record_end = 0;
  for (;;) {
    size_t i = ScanToRecordEnd(data_, scan, end_, delimiter_, quoting_, state);
    if (i < end_) {
      record_end = i;
      break;
    }
    if (eof_) {
      if (begin_ == end_) return false;
      if (state == ScanState::kQuoted) return UnclosedQuoteError(path_, records_read_);
      record_end = end_;
      break;
    }
    size_t offset = i - begin_;
    REBILL_RETURN_IF_ERROR(Fill());
    scan = begin_ + offset;
  }

  record_index_ = records_read_++;
  size_t line_end = record_end;
  if (line_end > begin_ && data_[line_end - 1] == '\r') --line_end;
  std::string_view record(data_ + begin_, line_end - begin_);
  begin_ = record_end < end_ ? record_end + 1 : end_;
  SplitFields(record, fields);
  return true;
}

void CsvReader::SplitFields(std::string_view record, std::vector<std::string_view>& fields) {
  // Unescaped quoted fields never outgrow the record, so reserving its size up front keeps the
  // views into scratch_ valid while it is appended to.
  scratch_.clear();
  scratch_.reserve(record.size());
  size_t pos = 0;
  for (;;) {
    if (quoting_ && pos < record.size() && record[pos] == '"') {
      size_t start = scratch_.size();
      size_t i = pos + 1;
      while (i < record.size()) {
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
      // Text between the closing quote and the delimiter is kept, as spreadsheets do.
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
}

Reject FieldCountReject(const std::string& path, uint64_t row, size_t expected, size_t actual,
                        std::string_view against) {
  Reject reject;
  reject.stage = "ingest";
  reject.file = path;
  reject.row = row;
  reject.kind = "field count";
  reject.reason = "the row has " + std::to_string(actual) + " fields but " + std::string(against) +
                  " has " + std::to_string(expected);
  reject.hint = "the file is damaged or was edited; use the file exactly as AWS delivered it";
  return reject;
}

}  // namespace rebill::ingest
