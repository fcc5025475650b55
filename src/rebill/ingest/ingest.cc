#include "rebill/ingest/ingest.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "rebill/core/hex.h"
#include "rebill/core/parallel.h"
#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/line_aggregator.h"
#include "rebill/ingest/parquet_ingest_internal.h"
#include "rebill/ingest/row_parser_internal.h"
#include "rebill/ingest/row_sink_internal.h"

namespace rebill::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The length of the UTF-8 sequence that starts `text`, or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view text) {
  auto lead = static_cast<unsigned char>(text[0]);
  size_t n = lead >= 0xC2 && lead <= 0xDF   ? 2
             : lead >= 0xE0 && lead <= 0xEF ? 3
             : lead >= 0xF0 && lead <= 0xF4 ? 4
                                            : 0;
  if (n == 0 || text.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// What the first line is, for the message about a file that is not a known billing file: its
// first 80 bytes, with Athena's \x01 shown as '|' and any other byte that is not printable text
// (binary data, a compressed file of another kind) as \xNN, so that the message stays readable.
std::string Excerpt(std::string_view line) {
  std::string_view start = line.substr(0, 80);
  std::string out;
  for (size_t i = 0; i < start.size();) {
    auto byte = static_cast<unsigned char>(start[i]);
    size_t n = byte >= 0x80 ? Utf8SequenceLength(start.substr(i)) : 1;
    if (byte == 0x01) {
      out += '|';
    } else if (n == 0 || byte < 0x20 || byte == 0x7F) {
      out += "\\x" + LowerHex(&byte, 1);
      n = 1;
    } else {
      out.append(start.substr(i, n));
    }
    i += n;
  }
  return line.size() > 80 ? out + "..." : out;
}

// A value of a manifest column typed BigDecimal: what the row parsers read as a number.
bool IsNumber(std::string_view v) { return Decimal::Parse(v).ok() || RoundToScale(v).has_value(); }

std::string BillingPeriodColumn(Format format) {
  if (IsFocus(format)) return "BillingPeriodStart";
  if (format == Format::kLegacyCsv) return "bill/BillingPeriodStartDate";
  return "bill_billing_period_start_date";
}

// The header's columns whose manifest type the values can be checked against, and a warning for
// the manifest's columns the file does not have.
std::vector<TypedColumn> ManifestTypes(const Manifest& manifest,
                                       const std::vector<std::string>& header,
                                       const std::string& path,
                                       std::vector<std::string>& warnings) {
  std::map<std::string_view, size_t> position;
  for (size_t i = 0; i < header.size(); ++i) position.emplace(header[i], i);
  std::vector<TypedColumn> typed;
  std::vector<std::string> missing;
  for (const ManifestColumn& c : manifest.columns) {
    auto it = position.find(c.name);
    if (it == position.end()) {
      missing.push_back(c.name);
      continue;
    }
    bool decimal = c.type == "BigDecimal" || c.type == "OptionalBigDecimal";
    if (decimal) typed.push_back({it->second, c.name, c.type, c.type.rfind("Optional", 0) == 0});
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 5) list += ", ...";
    warnings.push_back(path + ": " + std::to_string(missing.size()) +
                       " column(s) the manifest lists are not in the file (" + list +
                       "); the file's header is used");
  }
  return typed;
}

// Rows are numbered by piece while pieces are read in parallel, and renumbered in file order
// once every earlier piece's record count is known.
constexpr int kLocalBits = 32;
uint64_t PieceRow(uint64_t piece, uint64_t record) { return piece << kLocalBits | record; }
uint64_t PieceOf(uint64_t row) { return row >> kLocalBits; }
uint64_t RecordOf(uint64_t row) { return row & ((uint64_t{1} << kLocalBits) - 1); }

// Bytes of a piece: read into straight after the buffer grows, so growing it need not zero them.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using PieceBuffer = std::vector<char, UninitializedAllocator<char>>;

struct Piece {
  PieceBuffer buffer;      // for a source read into buffers
  std::string_view bytes;  // the piece: in `buffer`, or where the source holds it
};

// How a piece's end is put where a record ends. A piece that does not end where a record ends
// ends inside a quoted field: its parser finds the field open at the piece's end, and the file
// is read again with the next way of cutting (ReadBillingFile).
enum class Cut {
  // At the piece's last line break, which ends a record unless it is inside a quoted field.
  // Billing files hardly ever have a line break in a field, and this reads no byte of the
  // piece: the reading thread, which the workers wait for, mostly inflates. A file whose
  // quoted line breaks do meet a cut is found out at that piece, and read again by kQuoteParity.
  kLastLineBreak,
  // A line break ends a record unless it is inside quotes; quotes pair up inside quoted fields
  // (a doubled quote is two), so the parity of the quotes since the piece's start tells. Fast,
  // but a quote in the middle of an unquoted field breaks the rule: a piece then does not end
  // where a record ends, or no end is found, and the file is read again, cut by kScan.
  kQuoteParity,
  // Each byte read with the record scanner's own states (CsvReader::Next): exact, and slower.
  kScan,
};

// Cuts the decompressed file into pieces of whole records, so that they are split and parsed in
// parallel.
class PieceReader {
 public:
  PieceReader(CsvReader& reader, bool quoting, char delimiter, Cut cut, const IngestOptions& o)
      : reader_(reader),
        quoting_(quoting),
        delimiter_(delimiter),
        cut_(cut),
        piece_bytes_(std::max<size_t>(o.piece_bytes, 1)),
        max_record_bytes_(std::max<size_t>(o.max_record_bytes, 1)),
        carry_(reader.TakeUnread()) {
    at_end_ = reader.source_at_end();
  }

  /// The next piece, empty at the end: its bytes where the source holds them (InPlace), or
  /// read into its buffer, which may be an earlier piece's: its memory is reused.
  /// Cut by line breaks or quote parity, a piece that finds no record's end within
  /// max_record_bytes is empty, and gave_up() is then true: the file is to be read again, cut
  /// the next way.
  Status Next(Piece* piece) {
    std::string_view whole = reader_.source().InPlace();
    if (!whole.empty()) {
      REBILL_RETURN_IF_ERROR(NextInPlace(whole, piece));
    } else {
      REBILL_RETURN_IF_ERROR(NextRead(&piece->buffer));
      piece->bytes = std::string_view(piece->buffer.data(), piece->buffer.size());
    }
    offset_ += piece->bytes.size();
    return Status::Ok();
  }

  /// True once the piece returned last was the file's last.
  bool exhausted() const { return at_end_ && carry_.empty(); }
  bool gave_up() const { return gave_up_; }
  /// The pieces up to `end` are parsed: the source may let their memory go.
  void Release(const char* end) { reader_.source().ReleaseUpTo(end); }

 private:
  Status NextInPlace(std::string_view whole, Piece* piece) {
    if (!in_place_) {
      // The reader's unread bytes are the last it read: the first piece starts with them.
      in_place_ = true;
      next_ = reader_.source().stored_bytes_read() - carry_.size();
      carry_.clear();
    }
    size_t want = piece_bytes_;
    for (;;) {
      size_t end = static_cast<size_t>(std::min<uint64_t>(next_ + want, whole.size()));
      reader_.source().ReadInPlaceUpTo(end);
      std::string_view bytes = whole.substr(next_, end - next_);
      size_t cut = end == whole.size() ? bytes.size() : LastRecordEnd(bytes, want);
      if (cut != std::string::npos) {
        piece->bytes = bytes.substr(0, cut);
        next_ += cut;
        at_end_ = next_ == whole.size();
        return Status::Ok();
      }
      REBILL_RETURN_IF_ERROR(Longer(&want));
      if (gave_up_) {
        piece->bytes = {};
        return Status::Ok();
      }
    }
  }

  Status NextRead(PieceBuffer* piece) {
    piece->assign(carry_.begin(), carry_.end());
    carry_.clear();
    size_t want = piece_bytes_;
    piece->reserve(want + (size_t{1} << 20));
    for (;;) {
      while (!at_end_ && piece->size() < want) {
        size_t old = piece->size();
        size_t read = std::min(want - old, size_t{1} << 20);
        piece->resize(old + read);
        REBILL_ASSIGN_OR_RETURN(size_t n, reader_.source().Read(piece->data() + old, read));
        piece->resize(old + n);
        if (n == 0) at_end_ = true;
      }
      if (at_end_ && piece->size() <= want) return Status::Ok();  // the rest
      size_t cut = LastRecordEnd(std::string_view(piece->data(), piece->size()), want);
      if (cut != std::string::npos) {
        carry_.assign(piece->data() + cut, piece->size() - cut);
        piece->resize(cut);
        return Status::Ok();
      }
      REBILL_RETURN_IF_ERROR(Longer(&want));
      if (gave_up_) {
        piece->clear();
        return Status::Ok();
      }
    }
  }

  // No record ends within `want` bytes of the piece's start: twice as many, up to
  // max_record_bytes. Beyond that, cut by line breaks or quote parity, the cut may have been
  // thrown off (gave_up_); cut by scanning, the record really is that long.
  Status Longer(size_t* want) {
    if (*want >= max_record_bytes_) {
      if (cut_ != Cut::kScan) {
        gave_up_ = true;
        return Status::Ok();
      }
      return InvalidInput(reader_.path() + ": the record that starts " + std::to_string(offset_) +
                          " bytes after the first line runs on for more than " +
                          DescribeBytes(max_record_bytes_) +
                          ": a quoted field is never closed, or this is not a CSV billing file; "
                          "re-download it");
    }
    *want = std::min(*want * 2, max_record_bytes_);
    return Status::Ok();
  }

  // The end of the last whole record that ends within the first `limit` bytes, or npos.
  size_t LastRecordEnd(std::string_view piece, size_t limit) const {
    if (cut_ == Cut::kScan && quoting_) return ScannedRecordEnd(piece.substr(0, limit));
    size_t nl = piece.rfind('\n', limit - 1);
    if (nl == std::string::npos || !quoting_ || cut_ == Cut::kLastLineBreak) {
      return nl == std::string::npos ? nl : nl + 1;
    }
    size_t quotes = CountQuotes(piece.data(), piece.data() + nl);
    while (quotes % 2 != 0) {
      if (nl == 0) return std::string::npos;
      size_t prev = piece.rfind('\n', nl - 1);
      if (prev == std::string::npos) return prev;
      quotes -= CountQuotes(piece.data() + prev, piece.data() + nl);
      nl = prev;
    }
    return nl + 1;
  }

  // The end of the last record that ends in `bytes`, which start where a record starts, or npos;
  // read with CsvReader::Next's states, so that it agrees with the parsers on every quote.
  size_t ScannedRecordEnd(std::string_view bytes) const {
    size_t last = std::string::npos;
    for (size_t at = 0;;) {
      ScanState state = ScanState::kFieldStart;
      size_t nl = ScanToRecordEnd(bytes.data(), at, bytes.size(), delimiter_, quoting_, state);
      if (nl == bytes.size()) return last;
      last = at = nl + 1;
    }
  }

  CsvReader& reader_;
  bool quoting_;
  char delimiter_;
  Cut cut_;
  size_t piece_bytes_;
  size_t max_record_bytes_;
  std::string carry_;
  bool at_end_ = false;
  bool gave_up_ = false;
  bool in_place_ = false;
  uint64_t next_ = 0;    // in place: where the next piece starts
  uint64_t offset_ = 0;  // where the next piece starts, after the first line
};

struct PieceResults {
  std::vector<CurLine> lines;
  uint64_t rows = 0;
  int display_scale = 2;
  uint64_t rounded_values = 0;
  std::string padded_account_id;  // see RowParser::padded_account_id
  bool read_again_whole = false;  // see PieceReader
};

// What a worker made of one piece.
struct PieceDone {
  uint64_t records = 0;
  uint64_t rows = 0;
  std::vector<Reject> rejects;
  Status status;
  std::optional<uint64_t> unclosed_at;  // record whose quoted field the piece ends inside of
  const char* end = nullptr;            // the end of the piece's bytes
};

PieceDone ReadPiece(const RowContext& c, RowSink& sink, uint64_t index, std::string_view bytes) {
  PieceDone done;
  CsvReader reader(bytes, c.path);
  if (c.hive_text) reader.SetDialect('\x01', /*quoting=*/false);
  reader.WantOnly(sink.wanted_columns());
  std::vector<std::string_view> fields;
  for (;;) {
    Result<bool> more = reader.Next(fields);
    if (!more.ok()) {
      done.unclosed_at = reader.records_read();
      break;
    }
    if (!*more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    ++done.rows;
    done.status = sink.Process(fields, PieceRow(index, reader.record_index()));
    if (!done.status.ok()) break;
  }
  done.records = reader.records_read();
  done.rejects = sink.rejects().TakeRejects();
  return done;
}

// Reads the pieces on this thread while workers split, parse and aggregate them; hands the
// rejects to `rejects` in file order as pieces complete, so a reject policy stops the ingest as
// early as it would reading row by row. `first_record` is the first data record of a file without
// a header (piece 0; otherwise piece 0 is the header).
Result<PieceResults> ReadPieces(PieceReader& pieces, const RowContext& c,
                                std::unique_ptr<RowSink> first_sink,
                                const std::vector<std::string>* first_record, RejectSink& rejects,
                                const std::function<void(uint64_t)>& progress,
                                const CsvReader& reader) {
  std::vector<std::unique_ptr<RowSink>> sinks;
  sinks.push_back(std::move(first_sink));
  for (int i = 1; i < IngestThreads(c.options); ++i) {
    REBILL_ASSIGN_OR_RETURN(std::unique_ptr<RowSink> sink, RowSink::Make(c));
    sinks.push_back(std::move(sink));
  }
  PieceResults results;
  // base[i]: the file's record index of piece i's first record.
  std::vector<uint64_t> base = {c.headerless ? uint64_t{1} : uint64_t{0}};
  if (first_record != nullptr) {
    std::vector<std::string_view> fields(first_record->begin(), first_record->end());
    ++results.rows;
    REBILL_RETURN_IF_ERROR(sinks[0]->Process(fields, PieceRow(0, 0)));
    for (Reject& r : sinks[0]->rejects().TakeRejects()) {
      r.row = 1;
      REBILL_RETURN_IF_ERROR(rejects.Add(std::move(r)));
    }
  }
  base.push_back(base[0] + 1);

  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::pair<uint64_t, Piece>> queue;
  std::map<uint64_t, PieceDone> finished;
  // Buffers of pieces the workers are done with: reading the next pieces into them saves
  // allocating and faulting in fresh memory for every piece.
  std::vector<PieceBuffer> spare;
  bool closing = false;
  constexpr size_t kQueued = 4;
  // Five levels make a worker weigh a third of the reader (CFS weights 335 and 1024): enough for
  // the reader to run whenever it is ready (ingest 4-5 % faster at 4M rows; more made no
  // difference), little enough to leave the process fair to others.
  constexpr int kWorkerNiceSteps = 5;
  std::vector<std::thread> workers;
  for (auto& sink : sinks) {
    workers.emplace_back([&, own = sink.get()] {
      // The calling thread reads (inflates, hashes) every piece the workers parse: it goes
      // first whenever it can run, or both workers end up waiting for it.
      YieldToProducer(kWorkerNiceSteps);
      for (;;) {
        std::pair<uint64_t, Piece> piece;
        {
          std::unique_lock lock(mu);
          changed.wait(lock, [&] { return closing || !queue.empty(); });
          if (queue.empty()) return;
          piece = std::move(queue.front());
          queue.pop_front();
        }
        changed.notify_all();
        PieceDone done = ReadPiece(c, *own, piece.first, piece.second.bytes);
        done.end = piece.second.bytes.data() + piece.second.bytes.size();
        {
          std::lock_guard lock(mu);
          finished.emplace(piece.first, std::move(done));
          spare.push_back(std::move(piece.second.buffer));
        }
        changed.notify_all();
      }
    });
  }
  struct Join {
    std::vector<std::thread>& workers;
    std::mutex& mu;
    std::condition_variable& changed;
    std::deque<std::pair<uint64_t, Piece>>& queue;
    bool& closing;
    ~Join() {
      {
        std::lock_guard lock(mu);
        closing = true;
        queue.clear();
      }
      changed.notify_all();
      for (std::thread& t : workers) t.join();
    }
  } join{workers, mu, changed, queue, closing};

  uint64_t next = 1;    // the next piece to read
  uint64_t replay = 1;  // the next piece whose rejects go to `rejects`
  uint64_t last = 0;    // the file's last piece, once it is read
  // Takes the finished pieces that are next in file order; with `wait`, until all are.
  auto take_finished = [&](bool wait) -> Status {
    for (;;) {
      PieceDone done;
      {
        std::unique_lock lock(mu);
        if (wait) {
          changed.wait(lock, [&] { return finished.count(replay) > 0 || replay == next; });
        }
        auto it = finished.find(replay);
        if (it == finished.end()) return Status::Ok();
        done = std::move(it->second);
        finished.erase(it);
      }
      REBILL_RETURN_IF_ERROR(done.status);
      for (Reject& r : done.rejects) {
        r.row = base[replay] + RecordOf(r.row);
        REBILL_RETURN_IF_ERROR(rejects.Add(std::move(r)));
      }
      if (done.unclosed_at) {
        // Only the file's end can leave a quote open; before it, the cut was wrong.
        if (replay != last) {
          results.read_again_whole = true;
          return Status::Ok();
        }
        return UnclosedQuoteError(c.path, base[replay] + *done.unclosed_at);
      }
      // This piece and every one before it are read.
      pieces.Release(done.end);
      base.push_back(base[replay] + done.records);
      results.rows += done.rows;
      ++replay;
    }
  };

  Piece piece;
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (!spare.empty()) {
        piece.buffer = std::move(spare.back());
        spare.pop_back();
      }
    }
    REBILL_RETURN_IF_ERROR(pieces.Next(&piece));
    if (pieces.gave_up()) {
      results.read_again_whole = true;
      return results;
    }
    if (piece.bytes.empty()) break;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return queue.size() < kQueued; });
      if (pieces.exhausted()) last = next;
      queue.emplace_back(next++, std::move(piece));
    }
    changed.notify_all();
    if (progress) progress(reader.stored_bytes_read());
    REBILL_RETURN_IF_ERROR(take_finished(false));
    if (results.read_again_whole) return results;
  }
  while (replay < next) {
    REBILL_RETURN_IF_ERROR(take_finished(true));
    if (results.read_again_whole) return results;
  }

  MergedSinks merged = MergeSinks(sinks);
  results.lines = std::move(merged.lines);
  for (CurLine& line : results.lines) {
    line.source_row = base[PieceOf(line.source_row)] + RecordOf(line.source_row);
  }
  results.display_scale = merged.display_scale;
  results.rounded_values = merged.rounded_values;
  results.padded_account_id = merged.padded_account_id;
  return results;
}

}  // namespace

bool RowSink::CheckRecord(const RowCells& cells, uint64_t row, Status* status) {
  if (cells.size() != c_.header.size()) {
    *status = rejects_.Add(FieldCountReject(c_.path, row, c_.header.size(), cells.size(),
                                            c_.headerless ? "the column list" : "the header"));
    return false;
  }
  for (const TypedColumn& t : c_.typed) {
    std::string_view v = cells.Text(t.index);
    if (c_.hive_text && v == "\\N") v = {};  // Hive text's null
    if ((v.empty() && t.optional) || IsNumber(v)) continue;
    Reject reject;
    reject.stage = "ingest";
    reject.file = c_.path;
    reject.row = row;
    reject.column = t.name;
    reject.reason = "'" + std::string(v.substr(0, 40)) +
                    "' is not a number, but the manifest types the column " + t.type;
    reject.raw_text = std::string(v.substr(0, 200));
    reject.kind = "manifest type";
    reject.hint = "the file does not match its manifest; copy the delivery again";
    *status = rejects_.Add(std::move(reject));
    return false;
  }
  return true;
}

bool RowSink::Parsed(const RowCells& cells, uint64_t row, CurLine& line, Status* status) {
  bool skip = false;
  *status = parser_->Parse(cells, row, &line, &texts_, &skip);
  if (!status->ok() || skip) return false;
  bool outside = false;
  *status = CheckDeliveryPeriod(c_.options, c_.format, c_.path, row, line, rejects_, &outside);
  return status->ok() && !outside;
}

std::optional<uint32_t> RowSink::ParseAndAdd(const RowCells& cells, uint64_t row, CurLine& line,
                                             Status* status) {
  if (!Parsed(cells, row, line, status)) return std::nullopt;
  // The line outlives the row's cells (a shape's line is read for its later rows).
  texts_.CopyTo(&line);
  return lines_.Add(line);
}

Status RowSink::Process(const RowCells& cells, uint64_t row) {
  Status status;
  if (CheckRecord(cells, row, &status) && Parsed(cells, row, line_, &status)) {
    lines_.AddSoon(line_, texts_);
  }
  return status;
}

void RowSink::StartShapes(size_t shapes) {
  if (shape_lines_.size() < shapes) shape_lines_.resize(shapes);
  shapes_.assign(shapes, Shape{});
}

void RowSink::KeepShapes(size_t shapes) {
  if (shape_lines_.size() < shapes) shape_lines_.resize(shapes);
  if (shapes_.size() < shapes) shapes_.resize(shapes);
}

Status RowSink::ProcessShaped(const RowCells& cells, uint64_t row, uint32_t shape) {
  Status status;
  if (!CheckRecord(cells, row, &status)) return status;
  Shape& s = shapes_[shape];
  CurLine& line = shape_lines_[shape];
  if (!s.known) {
    // A rejected first row leaves the shape unknown, so that the next row of the shape is
    // parsed whole and rejected (or not) for its own reasons.
    std::optional<uint32_t> at = ParseAndAdd(cells, row, line, &status);
    s.known = at.has_value();
    if (at) s.at = *at;
    return status;
  }
  bool skip = false;
  REBILL_RETURN_IF_ERROR(parser_->ParseMeasures(cells, row, line, &measures_, &skip));
  if (skip) return Status::Ok();
  // The delivery period is the shape's, which its first row passed.
  if (!lines_.AddTo(s.at, measures_)) s.at = lines_.AddLike(s.at, measures_);
  return Status::Ok();
}

void RowSink::PrefetchShape(uint32_t shape) const {
  const CurLine& line = shape_lines_[shape];
  __builtin_prefetch(&line.type);
  __builtin_prefetch(&line.product_code);
  if (shapes_[shape].known) lines_.Prefetch(shapes_[shape].at);
}

int IngestThreads(const IngestOptions& options) {
  unsigned cores = std::thread::hardware_concurrency();
  int threads = static_cast<int>(std::clamp(cores, 1u, 2u));
  return options.max_threads > 0 ? std::min(threads, options.max_threads) : threads;
}

MergedSinks MergeSinks(std::vector<std::unique_ptr<RowSink>>& sinks) {
  MergedSinks merged;
  std::vector<LineAggregator*> parts;
  for (const auto& sink : sinks) parts.push_back(&sink->lines());
  merged.lines = LineAggregator::TakeAll(parts);
  for (const auto& sink : sinks) {
    merged.display_scale = std::max(merged.display_scale, sink->display_scale());
    merged.rounded_values += sink->rounded_values();
    if (merged.padded_account_id.empty()) merged.padded_account_id = sink->padded_account_id();
  }
  return merged;
}

Status CheckDeliveryPeriod(const IngestOptions& options, Format format, const std::string& path,
                           uint64_t row, const CurLine& line, RejectSink& rejects, bool* outside) {
  *outside = false;
  if (options.manifest == nullptr || !options.manifest->period ||
      line.period == *options.manifest->period) {
    return Status::Ok();
  }
  *outside = true;
  Reject reject;
  reject.stage = "ingest";
  reject.file = path;
  reject.row = row;
  reject.column = BillingPeriodColumn(format);
  reject.kind = "outside period";
  reject.reason = "the row is for " + line.period.ToString() +
                  ", outside the delivery's billing period " +
                  options.manifest->period->ToString() + " (" + options.manifest->path + ")";
  reject.raw_text = line.period.ToString();
  reject.hint = "each month is delivered on its own; ingest that month's delivery";
  return rejects.Add(std::move(reject));
}

std::string PaddedAccountIdWarning(const std::string& path, const std::string& example) {
  return path +
         ": AWS account ids with fewer than 12 digits were read with their leading zeros "
         "put back (" +
         example +
         "); a spreadsheet, or a column typed as a number, drops them. Use the file as AWS "
         "delivered it if that is not what happened";
}

std::string RoundedValuesWarning(const std::string& path, uint64_t rounded) {
  return path + ": " + std::to_string(rounded) +
         " value(s) have more than 18 fractional digits and were rounded half-even to 18 (a "
         "change below 10^-18 each)";
}

namespace {

// `cut`: how pieces are cut (see PieceReader); *read_again is set when the file has to be
// read again, cut by scanning.
Result<IngestedFile> ReadCsvBillingFile(const std::string& path, const IngestOptions& options,
                                        RejectSink& rejects, Cut cut, bool* read_again) {
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
  CsvReader reader(std::move(source), path);
  reader.SetMaxRecordBytes(options.max_record_bytes);
  REBILL_ASSIGN_OR_RETURN(std::string_view first_line, reader.PeekFirstLine());
  // A tar archive (such as a copy of a bucket) starts with its first member's name, padded with
  // NULs, and says "ustar" at byte 257; no billing file's header holds a NUL.
  if (first_line.size() > 262 && first_line.substr(257, 5) == "ustar" &&
      first_line.substr(0, 100).find('\0') != std::string_view::npos) {
    return InvalidInput(path + ": is a tar archive, not a billing file; extract it (tar -xf '" +
                        path + "') and ingest the folder it holds");
  }
  // Athena's text tables separate fields with \x01 and never quote; AWS's CSVs never contain
  // \x01. The first line tells, whether it is a header or already data.
  bool hive_text = first_line.find('\x01') != std::string_view::npos;
  if (hive_text) reader.SetDialect('\x01', /*quoting=*/false);
  std::string excerpt = Excerpt(first_line);

  std::vector<std::string_view> fields;
  REBILL_ASSIGN_OR_RETURN(bool any, reader.Next(fields));
  if (!any) {
    return InvalidInput(path + ": the file is empty; expected a CUR, CUR 2.0 or FOCUS file");
  }
  std::vector<std::string> header(fields.begin(), fields.end());
  if (!header.empty() && header[0].substr(0, kBom.size()) == kBom) header[0].erase(0, kBom.size());
  // AWS writes no spaces around column names; a file saved again by a spreadsheet may.
  for (std::string& name : header) {
    size_t begin = name.find_first_not_of(" \t");
    size_t end = name.find_last_not_of(" \t\r");
    name = begin == std::string::npos ? std::string() : name.substr(begin, end - begin + 1);
  }
  std::optional<Format> format = DetectFormat(header);
  // A file without a header starts with data; its rows are numbered from 1 all the same.
  bool headerless = !format.has_value();
  if (headerless) {
    if (options.columns.empty() && options.manifest != nullptr &&
        !options.manifest->columns.empty()) {
      header.clear();
      for (const ManifestColumn& c : options.manifest->columns) header.push_back(c.name);
    } else if (options.columns.empty()) {
      return InvalidInput(
          path + ": the first line is not the header of a Cost and Usage Report, CUR 2.0 or " +
          "FOCUS file (it starts '" + excerpt + "'); if the file has no header row (Athena " +
          "text exports have none), pass its column list in order, from the report's manifest " +
          "or the Athena table definition");
    }
    if (!options.columns.empty()) header = options.columns;
    format = DetectFormat(header);
    if (!format.has_value()) {
      return InvalidInput(path +
                          ": the column list given for this file names no column of a Cost and "
                          "Usage Report, CUR 2.0 or FOCUS file; pass the report's own column list");
    }
  }

  IngestedFile out;
  out.source.path = path;
  out.source.format = std::string(FormatName(*format));
  if (reader.compression() != "csv") out.source.format += reader.compression().substr(3);
  std::vector<TypedColumn> typed;
  if (options.manifest != nullptr)
    typed = ManifestTypes(*options.manifest, header, path, out.warnings);
  for (std::string& w : TagKeys(options.tag_keys).MissingColumnWarnings(path, *format, header)) {
    out.warnings.push_back(std::move(w));
  }
  RowContext context{*format, hive_text, headerless, path, header, typed, options};
  // A missing required column fails here, before any thread starts.
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<RowSink> first, RowSink::Make(context));

  std::vector<std::string> first_record;
  if (headerless) first_record.assign(fields.begin(), fields.end());
  PieceReader pieces(reader, /*quoting=*/!hive_text, hive_text ? '\x01' : ',', cut, options);
  REBILL_ASSIGN_OR_RETURN(PieceResults results, ReadPieces(pieces, context, std::move(first),
                                                           headerless ? &first_record : nullptr,
                                                           rejects, options.progress, reader));
  if (results.read_again_whole) {
    *read_again = true;
    return out;
  }
  out.source.rows = results.rows;
  out.lines = std::move(results.lines);
  // The reader hashed every byte on the way through, so the file is read from disk only once.
  out.source.sha256 = reader.Sha256Hex();
  if (out.source.sha256.empty()) return Internal(path + ": computing the file's SHA-256 failed");
  out.display_scale = results.display_scale;
  if (results.rounded_values > 0) {
    out.warnings.push_back(RoundedValuesWarning(path, results.rounded_values));
  }
  if (!results.padded_account_id.empty()) {
    out.warnings.push_back(PaddedAccountIdWarning(path, results.padded_account_id));
  }
  return out;
}

}  // namespace

Result<IngestedFile> ReadBillingFile(const std::string& path, const IngestOptions& options,
                                     RejectSink& rejects) {
  if (IsParquetFile(path)) return ReadParquetBillingFile(path, options, rejects);
  const size_t before = rejects.rejects().size();
  for (Cut cut : {Cut::kLastLineBreak, Cut::kQuoteParity, Cut::kScan}) {
    bool read_again = false;
    REBILL_ASSIGN_OR_RETURN(IngestedFile file,
                            ReadCsvBillingFile(path, options, rejects, cut, &read_again));
    if (!read_again) return file;
    rejects.Truncate(before);
  }
  return Internal(path + ": cut where the records end, the file's pieces still need another cut");
}

NormalizedMonth BuildMonth(BillingPeriod period, const std::vector<IngestedFile>& files) {
  std::vector<IngestedFile> copy = files;
  return BuildMonth(period, std::move(copy));
}

NormalizedMonth BuildMonth(BillingPeriod period, std::vector<IngestedFile>&& files) {
  NormalizedMonth month;
  month.period = period;
  size_t total = 0;
  for (const IngestedFile& file : files) total += file.lines.size();
  month.lines.reserve(total);
  for (IngestedFile& file : files) {
    auto index = static_cast<uint32_t>(month.sources.size());
    if (month.lines.empty() && !file.lines.empty() &&
        std::all_of(file.lines.begin(), file.lines.end(),
                    [&](const CurLine& line) { return line.period == period; })) {
      // The usual case, a file of this month only: its lines move over as they are.
      month.lines = std::move(file.lines);
      file.lines.clear();
      for (CurLine& line : month.lines) line.source_file = index;
      month.sources.push_back(file.source);
      month.display_scale = std::max(month.display_scale, file.display_scale);
      continue;
    }
    bool used = false;
    for (CurLine& line : file.lines) {
      if (line.period != period) continue;
      month.lines.push_back(std::move(line));
      month.lines.back().source_file = index;
      used = true;
    }
    // Each line is in memory once: the file's copy goes as soon as the month has it.
    std::vector<CurLine>().swap(file.lines);
    if (used) {
      month.sources.push_back(file.source);
      month.display_scale = std::max(month.display_scale, file.display_scale);
    }
  }
  return month;
}

}  // namespace rebill::ingest
