// Row parsers: one data record of a billing file in, one CurLine out. One parser per format
// family (CUR in any naming, FOCUS); they share FieldReader, which turns cells into values and
// failures into rejects naming the file, row and column.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/ingest.h"
#include "rebill/ingest/line_aggregator.h"
#include "rebill/ingest/parquet/reader.h"
#include "rebill/model/cur_line.h"
#include "rebill/model/reject.h"

namespace rebill::ingest {

/// A batch of records held column by column, as a Parquet row group is read: by header column,
/// its cells, or nullptr for a column not read (whose cells read as empty).
using ColumnBatch = std::vector<const parquet::TextColumn*>;

/// The cells of one record: the split fields of a text file's record, or one row of a
/// ColumnBatch, read where they lie. A batch's DOUBLE columns may hold binary values instead of
/// text (parquet::TextColumn::doubles).
class RowCells {
 public:
  RowCells() : fields_(&kNoFields) {}
  // Implicit: a text record's fields are its cells.
  RowCells(const std::vector<std::string_view>& fields) : fields_(&fields) {}  // NOLINT
  RowCells(const ColumnBatch& batch, size_t index) : batch_(&batch), index_(index) {}

  /// How many cells the record has; a batch row has one per header column.
  size_t size() const { return fields_ != nullptr ? fields_->size() : batch_->size(); }
  /// The cell's text: empty for a null cell, a column not read and a binary double.
  std::string_view Text(size_t column) const {
    if (fields_ != nullptr) return (*fields_)[column];
    const parquet::TextColumn* cells = (*batch_)[column];
    return cells == nullptr ? std::string_view() : cells->cell(index_);
  }
  /// The cell's binary double, or nullptr where it is text or null.
  const double* Double(size_t column) const {
    if (fields_ != nullptr) return nullptr;
    const parquet::TextColumn* cells = (*batch_)[column];
    if (cells == nullptr || cells->doubles.empty() || cells->is_null[index_] != 0) return nullptr;
    return &cells->doubles[index_];
  }
  /// True when the column's cells are binary doubles: a null one then has no text to read.
  bool HoldsDoubles(size_t column) const {
    if (fields_ != nullptr) return false;
    const parquet::TextColumn* cells = (*batch_)[column];
    return cells != nullptr && !cells->doubles.empty();
  }

 private:
  static inline const std::vector<std::string_view> kNoFields;
  const std::vector<std::string_view>* fields_ = nullptr;
  const ColumnBatch* batch_ = nullptr;
  size_t index_ = 0;
};

/// Reads typed values out of the cells of one record. Column arguments are indexes into the
/// header, -1 for a column the file does not have (read as null).
class FieldReader {
 public:
  FieldReader(const std::string& path, RejectSink& rejects) : path_(path), rejects_(rejects) {}

  /// The text that stands for null besides the empty cell: "\N" in Hive text, "NULL" in FOCUS.
  void set_null_token(std::string_view token) { null_token_ = token; }
  void SetHeader(std::vector<std::string> header) { header_ = std::move(header); }
  const std::vector<std::string>& header() const { return header_; }
  /// Index of the first column named `name`, or -1.
  int Find(std::string_view name) const;

  /// `cells` must outlive the row's reading.
  void StartRow(const RowCells& cells, uint64_t row) {
    cells_ = cells;
    row_ = row;
    row_scale_ = 0;
  }
  /// The cell's text; empty for an absent column or a null cell.
  std::string_view Text(int column) const {
    if (column < 0) return {};
    std::string_view text = cells_.Text(static_cast<size_t>(column));
    return text == null_token_ ? std::string_view() : text;
  }

  /// The cell's binary double (a Parquet DOUBLE), or null. Number and Money read it as the
  /// shortest decimal that reads back to the value, exactly as they read the text
  /// std::to_chars writes for it.
  const double* DoubleCell(int column) const {
    return column < 0 ? nullptr : cells_.Double(static_cast<size_t>(column));
  }
  /// True when the cell holds nothing: no text and no binary double.
  bool Empty(int column) const {
    if (DoubleCell(column) != nullptr) return false;
    return HoldsDoubles(column) || Text(column).empty();
  }
  bool HoldsDoubles(int column) const {
    return column >= 0 && cells_.HoldsDoubles(static_cast<size_t>(column));
  }

  // These return false on bad text and keep the failure for Reject(skip).
  /// A money amount; its fraction digits count towards the display scale.
  bool Money(int column, std::optional<Decimal>* out);
  bool Number(int column, std::optional<Decimal>* out, int* digits = nullptr);
  /// Null cells leave *out at 0.
  bool Time(int column, Timestamp* out);
  /// Each member of a JSON-object cell; a null cell has none.
  bool JsonMap(int column, const std::function<void(std::string_view, std::string_view)>& entry);

  /// Only rows that are kept count towards the display scale.
  void KeepRow() { display_scale_ = std::max(display_scale_, row_scale_); }
  int display_scale() const { return display_scale_; }
  /// Values written with more fractional digits than Decimal holds, rounded half-even to 18.
  uint64_t rounded_values() const { return rounded_values_; }

  /// Record the failure kept by the last false return.
  Status Reject(bool* skip);
  Status Reject(bool* skip, int column, std::string reason, std::string raw, std::string hint);
  Status RejectRequiredEmpty(bool* skip, int column);

 private:
  struct Failure {
    int column = -1;
    std::string reason, raw, hint;
  };

  const std::string& path_;
  RejectSink& rejects_;
  std::string null_token_;
  std::vector<std::string> header_;
  RowCells cells_;
  /// A binary double Number read without to_chars, and what it read.
  struct KnownDouble {
    uint64_t bits = 0;  // of the double
    int digits = 0;
    bool known = false;
    Decimal value;
  };
  /// Direct-mapped by the double's bits (KnownDoubleSlot): amounts repeat across rows and
  /// columns (an hourly cost, public on-demand cost equal to unblended cost). On the benchmark's
  /// CUR, 1024 slots answer 60 % of the amounts, the last value read alone 29 %. Allocated on a
  /// file's first binary double.
  static constexpr size_t kKnownDoubles = 1024;
  static size_t KnownDoubleSlot(uint64_t bits) {
    return static_cast<size_t>((bits * 0x9E3779B97F4A7C15ULL) >> 54);  // the top 10 bits
  }
  static_assert(kKnownDoubles == size_t{1} << 10);
  std::unique_ptr<KnownDouble[]> known_doubles_;
  uint64_t row_ = 0;
  int display_scale_ = 2;
  int row_scale_ = 0;  // fraction digits of the current row's money values
  uint64_t rounded_values_ = 0;
  Failure failure_;
  struct LastTime {
    bool parsed = false;
    std::string text;
    Timestamp value = 0;
  };
  std::vector<LastTime> last_times_;  // by column
};

class RowParser {
 public:
  virtual ~RowParser() = default;

  /// A parser for `format`; `hive_text` when the file is Hive text (`\N` is null).
  static std::unique_ptr<RowParser> Make(Format format, bool hive_text, const std::string& path,
                                         RejectSink& rejects);

  /// Find the columns the parser reads in `header` (the file's, or the column list given for a
  /// file without one). Fails naming the file and the missing required column.
  virtual Status MapHeader(std::vector<std::string> header, const IngestOptions& options) = 0;

  /// Parse one data row, whose field count matches the header. Returns OK with the row's
  /// texts in *texts and all else in *line (whose texts are left as they were), OK with *skip
  /// set when the row was rejected and the policy lets ingest go on, or the error that stops
  /// the ingest. The texts are views of the cells or of the parser's own buffers, valid until
  /// the next row or until the cells go: the aggregator copies a new line's texts, so a row
  /// whose line exists costs no interning (LineTexts::CopyTo interns them where a line is kept).
  virtual Status Parse(const RowCells& cells, uint64_t row, CurLine* line, LineTexts* texts,
                       bool* skip) = 0;

  /// The header columns whose cells differ between rows that Parse() makes into lines that
  /// differ only in what ParseMeasures() reads (usage times, amounts, the row number); none
  /// are read for anything else. Empty when the parser has no ParseMeasures() of its own.
  virtual std::vector<int> MeasureColumns() const { return {}; }

  /// Read only the measure columns of a row whose other used cells are those of an earlier row
  /// that Parse() made into `shape` without a reject. Returns as Parse() does.
  virtual Status ParseMeasures(const RowCells& cells, uint64_t row, const CurLine& shape,
                               RowMeasures* out, bool* skip);

  /// The header columns that Parse() and ParseMeasures() read only as numbers (amounts), whose
  /// cells a ColumnBatch may give as binary doubles. Empty when the parser takes text only.
  virtual std::vector<int> NumberColumns() const { return {}; }

  virtual int display_scale() const = 0;
  /// See FieldReader::rounded_values().
  virtual uint64_t rounded_values() const = 0;
  /// The first AWS account id read with fewer than 12 digits and padded with zeros, as
  /// "12345678901 as 012345678901"; empty when there was none.
  virtual const std::string& padded_account_id() const {
    static const std::string kNone;
    return kNone;
  }

  /// The header columns Parse() reads (after MapHeader), so that a columnar file decodes only
  /// those; the other fields may be left empty.
  virtual std::vector<int> UsedColumns() const = 0;
};

/// With a delivery manifest, a line of another billing period than the manifest's is a reject
/// (kind "outside period"); *outside tells the caller to drop it.
Status CheckDeliveryPeriod(const IngestOptions& options, Format format, const std::string& path,
                           uint64_t row, const CurLine& line, RejectSink& rejects, bool* outside);
/// The ingest warning for values rounded by RoundToScale.
std::string RoundedValuesWarning(const std::string& path, uint64_t rounded);
/// The warning for a file whose AWS account ids lost their leading zeros (`example`: see
/// RowParser::padded_account_id).
std::string PaddedAccountIdWarning(const std::string& path, const std::string& example);

/// Plain decimal text with more than 18 fractional digits ("0.0010684211984159026", as some
/// generators print doubles), rounded half-even to 18; nullopt for any other text.
std::optional<Decimal> RoundToScale(std::string_view text);

std::unique_ptr<RowParser> MakeCurParser(Format format, bool hive_text, const std::string& path,
                                         RejectSink& rejects);
std::unique_ptr<RowParser> MakeFocusParser(const std::string& path, RejectSink& rejects);

/// Collects the configured tags of one row, then emits them in the configuration's order with
/// the first non-empty value each key was given.
class RowTags {
 public:
  explicit RowTags(const TagKeys& keys) : keys_(keys), values_(keys.size()) {}
  void Clear() {
    for (std::string& v : values_) v.clear();
  }
  void Offer(size_t rank, std::string_view value) {
    if (values_[rank].empty()) values_[rank] = value;
  }
  /// Into the row's tags, whose texts a parser reuses from row to row: a tag that keeps its
  /// key and value needs no look-up.
  void Emit(std::vector<std::pair<Interned, Interned>>* tags) const {
    size_t n = 0;
    for (size_t i = 0; i < values_.size(); ++i) {
      if (values_[i].empty()) continue;
      if (n == tags->size()) tags->emplace_back();
      (*tags)[n].first = keys_.key(i);
      (*tags)[n].second = values_[i];
      ++n;
    }
    tags->resize(n);
  }

 private:
  const TagKeys& keys_;
  std::vector<std::string> values_;
};

}  // namespace rebill::ingest
