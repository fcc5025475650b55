// RowSink: everything a record of a billing file goes through once it is split into fields — its
// field count, the manifest's column types, the format's row parser, the delivery's billing
// period and the LineAggregator. Files are read on several threads, one RowSink each; a sink's
// rejects are collected and handed to the caller's RejectSink in file order, so a reject policy
// decides exactly as it would reading row by row.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/ingest.h"
#include "rebill/ingest/line_aggregator.h"
#include "rebill/ingest/row_parser_internal.h"

namespace rebill::ingest {

/// A column the delivery's manifest types as a number.
struct TypedColumn {
  size_t index;
  std::string name;
  std::string type;
  bool optional;
};

/// What every record of a file is read against.
struct RowContext {
  Format format;
  bool hive_text;
  bool headerless;
  const std::string& path;
  const std::vector<std::string>& header;
  const std::vector<TypedColumn>& typed;
  const IngestOptions& options;
};

class RowSink {
 public:
  /// Fails, naming the file and column, when the header lacks a column the format requires.
  static Result<std::unique_ptr<RowSink>> Make(const RowContext& c) {
    std::unique_ptr<RowSink> sink(new RowSink(c));
    sink->parser_ = RowParser::Make(c.format, c.hive_text, c.path, sink->rejects_);
    REBILL_RETURN_IF_ERROR(sink->parser_->MapHeader(c.header, c.options));
    sink->wanted_.assign(c.header.size(), 0);
    for (int column : sink->parser_->UsedColumns()) {
      if (column >= 0 && static_cast<size_t>(column) < c.header.size()) {
        sink->wanted_[static_cast<size_t>(column)] = 1;
      }
    }
    for (const TypedColumn& t : c.typed) sink->wanted_[t.index] = 1;
    return sink;
  }

  /// One entry per header column: nonzero for those Process() reads (see CsvReader::WantOnly).
  const std::vector<uint8_t>& wanted_columns() const { return wanted_; }

  /// Read one record (`row` as the caller numbers it): a line for the aggregator, or a reject.
  /// Fails only for what stops an ingest whatever the reject policy.
  Status Process(const RowCells& cells, uint64_t row);

  /// Rows read in batches (a Parquet row group) whose rows the caller numbers by shape, dense
  /// from 0: two rows have the same shape only when every column the parser reads, but its
  /// MeasureColumns(), has the same text in both. The first row of a shape is parsed whole;
  /// the others read only their measures and add to that row's line, which skips building and
  /// looking up its key. StartShapes forgets the previous batch's shapes; KeepShapes makes room
  /// for `shapes` shapes numbered across batches, whose rows in a later batch are those of the
  /// same shape in an earlier one: a known shape's first row in a new batch is not parsed again.
  void StartShapes(size_t shapes);
  void KeepShapes(size_t shapes);
  Status ProcessShaped(const RowCells& cells, uint64_t row, uint32_t shape);
  /// Ask the cache for what ProcessShaped reads for a row of `shape` (its line, and the line it
  /// adds to), a few rows before it comes: shapes come in no order, and there are too many of
  /// them to stay in the cache.
  void PrefetchShape(uint32_t shape) const;

  RejectSink& rejects() { return rejects_; }
  LineAggregator& lines() { return lines_; }
  const RowParser& parser() const { return *parser_; }
  int display_scale() const { return parser_->display_scale(); }
  uint64_t rounded_values() const { return parser_->rounded_values(); }
  const std::string& padded_account_id() const { return parser_->padded_account_id(); }

 private:
  explicit RowSink(const RowContext& c)
      : c_(c), rejects_(RejectPolicy::SkipUpTo(UINT64_MAX)), lines_(c.options.time_cuts) {}

  /// The field count and the manifest's types: false, with the reject recorded, for a record
  /// that fails them.
  bool CheckRecord(const RowCells& cells, uint64_t row, Status* status);
  /// Parse a record that passed CheckRecord into `line` and texts_ (views of the record, see
  /// RowParser::Parse): false when it was rejected (or *status stops the ingest).
  bool Parsed(const RowCells& cells, uint64_t row, CurLine& line, Status* status);
  /// Parsed(), and the line added: the line's number, or nullopt when the row was rejected.
  std::optional<uint32_t> ParseAndAdd(const RowCells& cells, uint64_t row, CurLine& line,
                                      Status* status);

  /// Whether a shape's first row was parsed (into shape_lines_) and added, and to which line.
  /// Kept apart from the lines, so that every row's look-up reads a small array.
  struct Shape {
    bool known = false;
    uint32_t at = 0;  // the line's number in lines_
  };

  const RowContext& c_;
  RejectSink rejects_;
  LineAggregator lines_;
  std::unique_ptr<RowParser> parser_;
  std::vector<uint8_t> wanted_;
  CurLine line_;          // reused from row to row: its tags keep their capacity
  LineTexts texts_;       // the row just parsed
  RowMeasures measures_;  // a shaped row's, which only its shape's line is read for
  std::vector<Shape> shapes_;
  std::vector<CurLine> shape_lines_;  // by shape; reused from batch to batch, like line_
};

/// How many threads read a file's rows, each with its own RowSink: the cores, at most two, and
/// at most options.max_threads when that is set.
int IngestThreads(const IngestOptions& options);

/// What the sinks that read one file found together.
struct MergedSinks {
  std::vector<CurLine> lines;  // aggregated across the sinks, in the order of their first row
  int display_scale = 2;       // the largest any sink saw
  uint64_t rounded_values = 0;
  std::string padded_account_id;  // the first any sink padded (RowParser::padded_account_id)
};
MergedSinks MergeSinks(std::vector<std::unique_ptr<RowSink>>& sinks);

}  // namespace rebill::ingest
