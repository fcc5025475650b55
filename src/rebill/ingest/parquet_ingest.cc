#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/line_aggregator.h"
#include "rebill/ingest/parquet/reader.h"
#include "rebill/ingest/parquet_ingest_internal.h"
#include "rebill/ingest/row_parser_internal.h"
#include "rebill/ingest/row_sink_internal.h"

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
    for (size_t k : identity) {
      const std::vector<parquet::TextColumn::Span>& spans = cells[k].spans;
      for (size_t r = 1; r < rows; ++r) {
        if (!Same(spans[r], spans[0])) {
          varying_.push_back(spans.data());
          break;
        }
      }
    }
    shape_.assign(rows, 0);
    if (varying_.empty() || rows == 0) return rows == 0 ? 0 : 1;
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

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  static bool Same(parquet::TextColumn::Span a, parquet::TextColumn::Span b) {
    return a.begin == b.begin && a.length == b.length;
  }
  static uint64_t Code(parquet::TextColumn::Span span) {
    return span.begin | (uint64_t{span.length} << 32);
  }
  void Grow() {
    slots_.assign(slots_.size() * 2, kEmpty);
    const size_t mask = slots_.size() - 1;
    for (size_t s = 0; s < shape_hash_.size(); ++s) {
      size_t i = shape_hash_[s] & mask;
      while (slots_[i] != kEmpty) i = (i + 1) & mask;
      slots_[i] = static_cast<uint32_t>(s);
    }
  }

  std::vector<const parquet::TextColumn::Span*> varying_;  // the identity columns' cells
  std::vector<uint32_t> shape_;                            // by row
  std::vector<uint64_t> hash_;                             // by row
  std::vector<uint32_t> slots_;                            // open addressing: shape numbers
  std::vector<uint64_t> shape_hash_;                       // by shape
  std::vector<uint64_t> shape_cells_;                      // by shape, varying_.size() codes each
  std::vector<uint64_t> row_cells_;                        // the current row's codes
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
      std::min<size_t>(static_cast<size_t>(IngestThreads()), std::max<size_t>(groups, 1));
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
    for (size_t g = next_group++; g < groups && !stop; g = next_group++) {
      GroupDone result;
      Result<std::vector<parquet::TextColumn>> read = file.ReadRowGroup(g, used, 1, numbers);
      if (!read.ok()) {
        result.status = read.status();
      } else {
        const std::vector<parquet::TextColumn>& cells = *read;
        for (size_t k = 0; k < used.size(); ++k) batch[static_cast<size_t>(used[k])] = &cells[k];
        auto rows = static_cast<size_t>(first_row[g + 1] - first_row[g]);
        if (shaped) sink.StartShapes(shapes.Number(cells, identity, rows));
        for (size_t r = 0; r < rows && result.status.ok(); ++r) {
          // A row's cells are one in each of a dozen columns of a row group far bigger than the
          // cache: those of a few rows ahead are asked for now.
          if (r + kPrefetchRows < rows) {
            for (size_t k : every_row) {
              // A cell read as a binary double is its value; its span is never read.
              if (cells[k].doubles.empty()) {
                __builtin_prefetch(cells[k].spans.data() + r + kPrefetchRows);
              } else {
                __builtin_prefetch(cells[k].doubles.data() + r + kPrefetchRows);
                __builtin_prefetch(cells[k].is_null.data() + r + kPrefetchRows);
              }
            }
          }
          if (shaped && r + kPrefetchRows / 2 < rows) {
            sink.PrefetchShape(shapes.shape(r + kPrefetchRows / 2));
          }
          RowCells row(batch, r);
          result.status = shaped ? sink.ProcessShaped(row, first_row[g] + r, shapes.shape(r))
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
  return out;
}

}  // namespace rebill::ingest
