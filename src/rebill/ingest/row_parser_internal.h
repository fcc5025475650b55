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
#include "rebill/model/cur_line.h"
#include "rebill/model/reject.h"

namespace rebill::ingest {

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

  /// Columns whose cells may come as binary doubles (Parquet DOUBLE) rather than text: for the
  /// current row, (*cells)[column] points at the value, or is null where the cell is text or
  /// null. Number and Money read them as the shortest decimal that reads back to the value,
  /// exactly as they read the text std::to_chars writes for it. Stays set for later rows.
  void set_double_cells(const std::vector<const double*>* cells) { double_cells_ = cells; }

  void StartRow(const std::vector<std::string_view>& fields, uint64_t row) {
    fields_ = &fields;
    row_ = row;
    row_scale_ = 0;
  }
  /// The cell's text; empty for an absent column or a null cell.
  std::string_view Text(int column) const {
    if (column < 0) return {};
    std::string_view text = (*fields_)[static_cast<size_t>(column)];
    return text == null_token_ ? std::string_view() : text;
  }

  /// The cell's binary double (set_double_cells), or null.
  const double* DoubleCell(int column) const {
    if (double_cells_ == nullptr || column < 0 ||
        static_cast<size_t>(column) >= double_cells_->size()) {
      return nullptr;
    }
    return (*double_cells_)[static_cast<size_t>(column)];
  }
  /// True when the cell holds nothing: no text and no binary double.
  bool Empty(int column) const { return Text(column).empty() && DoubleCell(column) == nullptr; }

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
  const std::vector<std::string_view>* fields_ = nullptr;
  const std::vector<const double*>* double_cells_ = nullptr;
  struct LastDouble {
    bool known = false;
    uint64_t bits = 0;  // of the double
    Decimal value;
    int digits = 0;
  };
  LastDouble last_double_;  // the last binary double Number read without to_chars
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

  /// Parse one data row, whose field count matches the header. Returns OK with *line filled,
  /// OK with *skip set when the row was rejected and the policy lets ingest go on, or the error
  /// that stops the ingest.
  virtual Status Parse(const std::vector<std::string_view>& fields, uint64_t row, CurLine* line,
                       bool* skip) = 0;

  /// The header columns whose cells differ between rows that Parse() makes into lines that
  /// differ only in what ParseMeasures() reads (usage times, amounts, the row number); none
  /// are read for anything else. Empty when the parser has no ParseMeasures() of its own.
  virtual std::vector<int> MeasureColumns() const { return {}; }

  /// Re-read, into `line`, only the measure columns of a row whose other used cells are those
  /// of an earlier row that Parse() made into `line` without a reject. Returns as Parse() does.
  virtual Status ParseMeasures(const std::vector<std::string_view>& fields, uint64_t row,
                               CurLine* line, bool* skip) {
    return Parse(fields, row, line, skip);
  }

  /// The header columns that Parse() and ParseMeasures() read only as numbers (amounts), whose
  /// cells a columnar file may give as binary doubles (FieldReader::set_double_cells) through
  /// SetDoubleCells. Empty when the parser takes text only.
  virtual std::vector<int> NumberColumns() const { return {}; }
  virtual void SetDoubleCells(const std::vector<const double*>* /*cells*/) {}

  virtual int display_scale() const = 0;
  /// See FieldReader::rounded_values().
  virtual uint64_t rounded_values() const = 0;

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
  void Emit(std::vector<std::pair<std::string, std::string>>* tags) const {
    tags->clear();
    for (size_t i = 0; i < values_.size(); ++i) {
      if (!values_[i].empty()) tags->emplace_back(keys_.key(i), values_[i]);
    }
  }

 private:
  const TagKeys& keys_;
  std::vector<std::string> values_;
};

}  // namespace rebill::ingest
