#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/line_aggregator.h"
#include "rebill/ingest/parquet/reader.h"
#include "rebill/ingest/parquet_ingest_internal.h"
#include "rebill/ingest/row_parser_internal.h"
#include "rebill/ingest/row_sink_internal.h"
#include "rebill/ingest/slot_table_internal.h"

namespace rebill::ingest {
namespace {

std::string ParquetFormatName(Format format) {
  switch (format) {
    case Format::kLegacyCsv:
    case Format::kLegacyAthena:
      return "legacy-cur-parquet";
    case Format::kCur2:
      return "cur2-parquet";
    default:
      return std::string(FormatName(format)) + "-parquet";
  }
}

// How far ahead of the row being parsed its columns' cells are prefetched.
constexpr size_t kPrefetchRows = 32;

std::string FirstNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  return names.size() > 5 ? out + ", ..." : out;
}

// Numbers the rows of a row group by shape (RowSink::ProcessShaped). Cells of a dictionary-encoded
// column share their entry's span, and two cells of a column with the same span have the same
// text, so rows whose identity columns have the same spans have one shape; a column written
// without a dictionary only makes shapes smaller.
class RowShapes {
 public:
  /// Number the `rows` rows of `cells`, comparing the columns `identity` (indexes into cells).
  /// Returns how many shapes there are.
  size_t Number(const std::vector<parquet::TextColumn>& cells, const std::vector<size_t>& identity,
                size_t rows) {
    // A column with the same cell on every row (the payer, the billing period) tells no rows
    // apart.
    varying_.clear();
    varying_at_.clear();
    for (size_t j = 0; j < identity.size(); ++j) {
      const std::vector<parquet::TextColumn::Span>& spans = cells[identity[j]].spans;
      for (size_t r = 1; r < rows; ++r) {
        if (!Same(spans[r], spans[0])) {
          varying_.push_back(spans.data());
          varying_at_.push_back(j);
          break;
        }
      }
    }
    shape_.assign(rows, 0);
    first_row_.clear();
    if (rows > 0) first_row_.push_back(0);
    if (varying_.empty() || rows == 0) return rows == 0 ? 0 : 1;
    first_row_.clear();
    // Hashed a column at a time, which reads each column's spans in order.
    hash_.assign(rows, 0);
    for (const parquet::TextColumn::Span* cell : varying_) {
      for (size_t r = 0; r < rows; ++r) {
        uint64_t h = (hash_[r] ^ Code(cell[r])) * 0x9E3779B97F4A7C15ULL;
        hash_[r] = h ^ (h >> 29);
      }
    }
    // A row group has far fewer shapes than rows: the table, the shapes' hashes and their
    // cells (side by side, one shape after another) are sized to the shapes and stay in cache.
    const size_t width = varying_.size();
    slots_.assign(1024, kEmpty);
    shape_hash_.clear();
    shape_cells_.clear();
    row_cells_.resize(width);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t j = 0; j < width; ++j) row_cells_[j] = Code(varying_[j][r]);
      const uint64_t h = hash_[r];
      const size_t mask = slots_.size() - 1;
      for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t s = slots_[i];
        if (s == kEmpty) {
          s = static_cast<uint32_t>(shape_hash_.size());
          slots_[i] = s;
          shape_hash_.push_back(h);
          shape_cells_.insert(shape_cells_.end(), row_cells_.begin(), row_cells_.end());
          first_row_.push_back(static_cast<uint32_t>(r));
          shape_[r] = s;
          if (shape_hash_.size() * 2 > slots_.size()) Grow();
          break;
        }
        if (shape_hash_[s] == h &&
            std::equal(row_cells_.begin(), row_cells_.end(), shape_cells_.begin() + s * width)) {
          shape_[r] = s;
          break;
        }
      }
    }
    return shape_hash_.size();
  }

  uint32_t shape(size_t row) const { return shape_[row]; }
  /// The first row of each shape.
  const std::vector<uint32_t>& first_rows() const { return first_row_; }
  /// The identity columns (positions in Number's `identity`) whose cells differ between rows,
  /// and each shape's codes (Code()) of their cells, varying_columns().size() per shape.
  const std::vector<size_t>& varying_columns() const { return varying_at_; }
  const uint64_t* shape_codes(uint32_t shape) const {
    return shape_cells_.data() + shape * varying_at_.size();
  }
  static uint64_t Code(parquet::TextColumn::Span span) {
    return span.begin | (uint64_t{span.length} << 32);
  }

 private:
  static constexpr uint32_t kEmpty = kFreeSlot;

  static bool Same(parquet::TextColumn::Span a, parquet::TextColumn::Span b) {
    return a.begin == b.begin && a.length == b.length;
  }
  void Grow() {
    RebuildSlots(slots_, slots_.size() * 2, shape_hash_.size(),
                 [this](size_t s) { return shape_hash_[s]; });
  }

  std::vector<const parquet::TextColumn::Span*> varying_;  // the identity columns' cells
  std::vector<size_t> varying_at_;                         // their positions in `identity`
  std::vector<uint32_t> shape_;                            // by row
  std::vector<uint32_t> first_row_;                        // by shape
  std::vector<uint64_t> hash_;                             // by row
  std::vector<uint32_t> slots_;                            // open addressing: shape numbers
  std::vector<uint64_t> shape_hash_;                       // by shape
  std::vector<uint64_t> shape_cells_;                      // by shape, varying_.size() codes each
  std::vector<uint64_t> row_cells_;                        // the current row's codes
};

// Numbers a worker's shapes across its row groups, so that a shape met in an earlier group keeps
// its number: its first row in a later group is not parsed again, and its rows join its lines by
// number. A file has a few thousand shapes, each in most of its row groups (a group is about a
// day, and a line is a shape's day). Each identity cell's text is numbered once per column, and
// a group's cells are known by their spans (a dictionary entry's), so a shape's key is a number
// per column, found in a small table of the group's spans. Past kMaxShapes (a file whose rows
// all differ) the numbering starts over, which bounds the memory it holds.
class ShapesAcrossGroups {
 public:
  /// Number each of `local`'s shapes, whose first rows are in `cells`. True when the numbering
  /// started over, forgetting every earlier shape.
  bool Number(const std::vector<parquet::TextColumn>& cells, const std::vector<size_t>& identity,
              const RowShapes& local) {
    bool restarted = false;
    if (shape_hash_.size() + local.first_rows().size() > kMaxShapes) {
      slots_.clear();
      shape_hash_.clear();
      shape_values_.clear();
      values_.clear();
      restarted = true;
    }
    const size_t width = identity.size();
    values_.resize(width);
    spans_.resize(width);
    for (SpanValues& spans : spans_) spans.Clear();
    // A column whose cells are the same on every row of the group has one value for all its
    // shapes; the others' cells are the shapes' codes, which RowShapes keeps side by side, so
    // that no cell of the group is read again but the first of each new span.
    key_.assign(width, 0);
    std::vector<bool> varies(width, false);
    for (size_t j : local.varying_columns()) varies[j] = true;
    const std::vector<uint32_t>& first_rows = local.first_rows();
    for (size_t j = 0; j < width; ++j) {
      if (varies[j] || first_rows.empty()) continue;
      const parquet::TextColumn& column = cells[identity[j]];
      key_[j] = ValueOf(j, column, 0, RowShapes::Code(column.spans[0]));
    }
    number_.clear();
    for (uint32_t s = 0; s < first_rows.size(); ++s) {
      const uint64_t* codes = local.shape_codes(s);
      for (size_t v = 0; v < local.varying_columns().size(); ++v) {
        size_t j = local.varying_columns()[v];
        key_[j] = ValueOf(j, cells[identity[j]], first_rows[s], codes[v]);
      }
      number_.push_back(Find());
    }
    return restarted;
  }
  size_t size() const { return shape_hash_.size(); }
  /// The number of the group's shape `local`.
  uint32_t operator[](uint32_t local) const { return number_[local]; }

 private:
  static constexpr size_t kMaxShapes = size_t{1} << 17;

  // A group's spans of one column and their texts' numbers: open addressing, in cache.
  class SpanValues {
   public:
    void Clear() {
      if (codes_.size() != kMinSlots || used_ != 0) {
        codes_.assign(kMinSlots, kFree);
        values_.resize(kMinSlots);
      }
      used_ = 0;
    }
    // The slot of `code`: its value when codes()[slot] == code, else where it goes.
    size_t Find(uint64_t code) const {
      const size_t mask = codes_.size() - 1;
      size_t i = (code * 0x9E3779B97F4A7C15ULL) >> 40 & mask;
      while (codes_[i] != kFree && codes_[i] != code) i = (i + 1) & mask;
      return i;
    }
    bool Has(size_t slot) const { return codes_[slot] != kFree; }
    uint32_t Value(size_t slot) const { return values_[slot]; }
    void Put(size_t slot, uint64_t code, uint32_t value) {
      codes_[slot] = code;
      values_[slot] = value;
      if (++used_ * 2 > codes_.size()) Grow();
    }

   private:
    // No span has this code: a cell's text lies within 4 GiB.
    static constexpr uint64_t kFree = UINT64_MAX;
    static constexpr size_t kMinSlots = 64;
    void Grow() {
      std::vector<uint64_t> codes = std::move(codes_);
      std::vector<uint32_t> values = std::move(values_);
      codes_.assign(codes.size() * 2, kFree);
      values_.resize(codes_.size());
      for (size_t i = 0; i < codes.size(); ++i) {
        if (codes[i] == kFree) continue;
        size_t at = Find(codes[i]);
        codes_[at] = codes[i];
        values_[at] = values[i];
      }
    }
    std::vector<uint64_t> codes_ = std::vector<uint64_t>(kMinSlots, kFree);
    std::vector<uint32_t> values_ = std::vector<uint32_t>(kMinSlots);
    size_t used_ = 0;
  };

  // The number of the text of `column`'s cell `row`, whose span's code (RowShapes::Code) is
  // `code`, among column j's texts. Identity columns are text: the amounts read as binary
  // doubles are measures.
  uint32_t ValueOf(size_t j, const parquet::TextColumn& column, uint32_t row, uint64_t code) {
    SpanValues& spans = spans_[j];
    size_t slot = spans.Find(code);
    if (spans.Has(slot)) return spans.Value(slot);
    uint32_t value =
        values_[j]
            .try_emplace(std::string(column.cell(row)), static_cast<uint32_t>(values_[j].size()))
            .first->second;
    spans.Put(slot, code, value);
    return value;
  }

  // The number of the shape whose values are key_, added if it is new.
  uint32_t Find() {
    const size_t width = key_.size();
    const uint64_t hash = XXH3_64bits(key_.data(), width * sizeof(uint32_t));
    if ((shape_hash_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      uint32_t s = slots_[i];
      if (s == kFreeSlot) {
        s = static_cast<uint32_t>(shape_hash_.size());
        slots_[i] = s;
        shape_hash_.push_back(hash);
        shape_values_.insert(shape_values_.end(), key_.begin(), key_.end());
        return s;
      }
      if (shape_hash_[s] == hash &&
          std::equal(key_.begin(), key_.end(), shape_values_.begin() + s * width)) {
        return s;
      }
    }
  }
  void Grow() {
    RebuildSlots(slots_, std::max<size_t>(1024, slots_.size() * 2), shape_hash_.size(),
                 [this](size_t s) { return shape_hash_[s]; });
  }

  std::vector<std::unordered_map<std::string, uint32_t>> values_;  // by identity column
  std::vector<SpanValues> spans_;                                  // by identity column
  // The shapes: open addressing over their hashes and their values (a number per identity
  // column), side by side.
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> shape_hash_;
  std::vector<uint32_t> shape_values_;
  std::vector<uint32_t> number_;  // by the group's shape
  std::vector<uint32_t> key_;     // the values of the shape being numbered
};

}  // namespace

bool IsParquetFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[4] = {};
  if (!in.read(head, 4)) return false;
  return parquet::HasParquetMagic(std::string_view(head, 4));
}

Result<IngestedFile> ReadParquetBillingFile(const std::string& path, const IngestOptions& options,
                                            RejectSink& rejects) {
  REBILL_ASSIGN_OR_RETURN(parquet::ParquetFile file, parquet::ParquetFile::Open(path));
  std::vector<std::string> header = file.column_names();
  std::optional<Format> format = DetectFormat(header);
  // Parquet exports carry Athena names; a file with CSV-style names is read by those.
  if (!format.has_value()) {
    return InvalidInput(path + ": the Parquet file's columns (" + FirstNames(header) +
                        ") are not those of a Cost and Usage Report, CUR 2.0 or FOCUS export");
  }
  IngestedFile out;
  out.source.path = path;
  out.source.format = ParquetFormatName(*format);
  out.warnings = TagKeys(options.tag_keys).MissingColumnWarnings(path, *format, header);
  // The file is hashed by a sequential read of its own while the row groups decode.
  std::future<Result<std::string>> sha256 = std::async(std::launch::async, FileSha256Hex, path);
  std::vector<TypedColumn> no_types;
  RowContext context{*format, /*hive_text=*/false, /*headerless=*/false, path, header, no_types,
                     options};
  // A missing required column fails here, before any thread starts.
  std::vector<std::unique_ptr<RowSink>> sinks;
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<RowSink> first, RowSink::Make(context));
  std::vector<int> used = first->parser().UsedColumns();
  // The cells of `used` (by position) that decide a row's shape: all but the measures.
  std::vector<int> measures = first->parser().MeasureColumns();
  std::vector<size_t> identity;
  for (size_t k = 0; k < used.size(); ++k) {
    if (std::find(measures.begin(), measures.end(), used[k]) == measures.end()) {
      identity.push_back(k);
    }
  }
  bool shaped = !measures.empty();
  // Amounts stored as DOUBLE are read from their binary values, without writing their text.
  std::vector<int> numbers = first->parser().NumberColumns();
  sinks.push_back(std::move(first));

  // Row groups are read by workers, each decoding a group and parsing its rows into its own sink;
  // rows are numbered from the row counts in the footer, and rejects reach `rejects` in file order.
  size_t groups = file.row_group_count();
  std::vector<uint64_t> first_row(groups + 1, 1);
  for (size_t g = 0; g < groups; ++g) {
    first_row[g + 1] =
        first_row[g] + static_cast<uint64_t>(std::max<int64_t>(0, file.row_count(g)));
  }
  size_t workers =
      std::min<size_t>(static_cast<size_t>(IngestThreads(options)), std::max<size_t>(groups, 1));
  for (size_t i = 1; i < workers; ++i) {
    REBILL_ASSIGN_OR_RETURN(std::unique_ptr<RowSink> sink, RowSink::Make(context));
    sinks.push_back(std::move(sink));
  }
  struct GroupDone {
    bool ready = false;
    Status status;
    std::vector<Reject> rejects;
  };
  std::vector<GroupDone> done(groups);
  std::mutex mu;
  std::condition_variable changed;
  std::atomic<size_t> next_group{0};
  std::atomic<bool> stop{false};
  // The columns read on every row: only a shape's first row reads the others.
  std::vector<size_t> every_row;
  for (size_t k = 0; k < used.size(); ++k) {
    if (!shaped || std::find(measures.begin(), measures.end(), used[k]) != measures.end()) {
      every_row.push_back(k);
    }
  }
  auto work = [&](RowSink& sink) {
    ColumnBatch batch(header.size(), nullptr);
    RowShapes shapes;
    ShapesAcrossGroups across;
    for (size_t g = next_group++; g < groups && !stop; g = next_group++) {
      GroupDone result;
      Result<std::vector<parquet::TextColumn>> read = file.ReadRowGroup(g, used, 1, numbers);
      if (!read.ok()) {
        result.status = read.status();
      } else {
        const std::vector<parquet::TextColumn>& cells = *read;
        for (size_t k = 0; k < used.size(); ++k) batch[static_cast<size_t>(used[k])] = &cells[k];
        auto rows = static_cast<size_t>(first_row[g + 1] - first_row[g]);
        if (shaped) {
          shapes.Number(cells, identity, rows);
          if (across.Number(cells, identity, shapes)) sink.StartShapes(0);
          sink.KeepShapes(across.size());
        }
        for (size_t r = 0; r < rows && result.status.ok(); ++r) {
          // A row's cells are one in each of a dozen columns of a row group far bigger than the
          // cache: those of a few rows ahead are asked for now, once per cache line of each
          // array (eight spans or doubles, 64 null flags).
          const size_t ahead = r + kPrefetchRows;
          if (ahead < rows && ahead % 8 == 0) {
            for (size_t k : every_row) {
              // A cell read as a binary double is its value; its span is never read.
              if (cells[k].doubles.empty()) {
                __builtin_prefetch(cells[k].spans.data() + ahead);
              } else {
                __builtin_prefetch(cells[k].doubles.data() + ahead);
                if (ahead % 64 == 0) __builtin_prefetch(cells[k].is_null.data() + ahead);
              }
            }
          }
          if (shaped && r + kPrefetchRows / 2 < rows) {
            sink.PrefetchShape(across[shapes.shape(r + kPrefetchRows / 2)]);
          }
          RowCells row(batch, r);
          result.status = shaped
                              ? sink.ProcessShaped(row, first_row[g] + r, across[shapes.shape(r)])
                              : sink.Process(row, first_row[g] + r);
        }
        result.rejects = sink.rejects().TakeRejects();
      }
      result.ready = true;
      {
        std::lock_guard lock(mu);
        done[g] = std::move(result);
      }
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (const auto& sink : sinks) threads.emplace_back(work, std::ref(*sink));
  Status failed;
  for (size_t g = 0; g < groups && failed.ok(); ++g) {
    GroupDone result;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return done[g].ready; });
      result = std::move(done[g]);
    }
    failed = result.status;
    for (Reject& r : result.rejects) {
      if (failed.ok()) failed = rejects.Add(std::move(r));
    }
    // The file's bytes in proportion to its rows read so far: an estimate for a progress bar.
    if (options.progress && first_row[groups] > 1) {
      double share =
          static_cast<double>(first_row[g + 1] - 1) / static_cast<double>(first_row[groups] - 1);
      options.progress(static_cast<uint64_t>(share * static_cast<double>(file.file_size())));
    }
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  REBILL_RETURN_IF_ERROR(failed);

  MergedSinks merged = MergeSinks(sinks);
  out.lines = std::move(merged.lines);
  REBILL_ASSIGN_OR_RETURN(out.source.sha256, sha256.get());
  out.source.rows = first_row[groups] - 1;
  out.display_scale = merged.display_scale;
  if (merged.rounded_values > 0) {
    out.warnings.push_back(RoundedValuesWarning(path, merged.rounded_values));
  }
  if (!merged.padded_account_id.empty()) {
    out.warnings.push_back(PaddedAccountIdWarning(path, merged.padded_account_id));
  }
  return out;
}

}  // namespace rebill::ingest
