// Ingest stage: billing files in, canonical lines out. Reads legacy CUR (CSV headers or
// Parquet / Athena column names, including Athena's headerless `\x01`-delimited text exports),
// CUR 2.0 CSV and FOCUS 1.0 / 1.1 / 1.2 CSV, plain or gzip, and all of them as Parquet. The format
// is told from the header (never from the file name), every column is found by name (column order
// is never assumed), money parses exactly to Decimal, and a malformed row goes to the RejectSink
// naming the file, row and column.
//
//   RejectSink rejects;
//   REBILL_ASSIGN_OR_RETURN(IngestedFile file, ReadBillingFile("cur.csv.gz", {}, rejects));
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rebill/core/result.h"
#include "rebill/ingest/delivery.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/reject.h"

namespace rebill::ingest {

struct IngestOptions {
  /// Tag / cost-category keys the configuration references, as the legacy CUR header names
  /// them: "user:CostCenter" for resourceTags/user:CostCenter, "costCategory/Team" for a cost
  /// category. Only these are kept on lines, under the key as written here. Files that use
  /// Athena names (`resource_tags_user_cost_center`), CUR 2.0 maps (`resource_tags` key
  /// `user_cost_center`, `cost_category` key `team`) and FOCUS `Tags` are matched after AWS's
  /// Athena normalization (reference §1.5), so the legacy spelling finds them too. AWS's
  /// normalization loses the original spelling, so a key only known from a CUR 2.0 file is
  /// configured in its CUR 2.0 spelling ("user_cost_center") and kept as written.
  std::vector<std::string> tag_keys;
  /// The column names, in order, of a file that has no header row (Athena text exports; the
  /// list comes from the report's manifest, the Athena DDL or the user). Used only when the
  /// file's first record is not a recognisable header; a file that has one is read by it.
  std::vector<std::string> columns;
  /// The manifest of the delivery the file belongs to, if any. Its billing period bounds the
  /// rows (a row of another period is a reject), its column list stands in for a missing header,
  /// and its column types are checked against the values.
  const Manifest* manifest = nullptr;
  /// Times inside a day at which the configuration changes something (an account's customer, a
  /// split, a price plan): rows are aggregated in time buckets that never straddle one
  /// (LineAggregator).
  std::vector<Timestamp> time_cuts;
  /// A CSV is cut into pieces of whole records of about this many bytes, parsed in parallel.
  size_t piece_bytes = size_t{4} << 20;
  /// No billing row is this long: a CSV record that runs on further (a quote never closed, or a
  /// file that is not a CSV) is an error, not a reason to hold the rest of the file in memory.
  size_t max_record_bytes = size_t{64} << 20;
  /// At most this many threads parse a file's rows; 0: one per core, at most two.
  int max_threads = 0;
  /// Called now and then with the bytes of the file (as stored) consumed so far.
  std::function<void(uint64_t)> progress;
};

/// One file, read and normalized. Lines may belong to several billing periods.
struct IngestedFile {
  SourceFile source;
  /// Aggregated to the billing grain (LineAggregator), in the order of their first row;
  /// source_file is 0, the caller re-indexes when merging.
  std::vector<CurLine> lines;
  int display_scale = 2;  // most fractional digits seen in a cost value
  /// What the reader noticed without rejecting anything, e.g. columns the manifest lists that
  /// the file does not have.
  std::vector<std::string> warnings;
};

/// Read one billing file. The compression is detected from the bytes and the format from the
/// header, never from the name; SourceFile::format records it: "legacy-cur-csv",
/// "legacy-cur-athena", "cur2-csv", "focus-1.0", "focus-1.1" or "focus-1.2", with ".gz"
/// appended when the file is gzip-compressed; Parquet files (told by their magic bytes) are
/// "legacy-cur-parquet", "cur2-parquet" or "focus-1.x-parquet". Fails with kInvalidInput naming the
/// file (and row / column) for unreadable or malformed data or a headerless file read without
/// IngestOptions::columns, and kIo for a missing file.
Result<IngestedFile> ReadBillingFile(const std::string& path, const IngestOptions& options,
                                     RejectSink& rejects);

/// Merge the lines of `period` from `files` into one NormalizedMonth, in file order.
NormalizedMonth BuildMonth(BillingPeriod period, const std::vector<IngestedFile>& files);
/// The same, moving the lines out of `files` (which keep their sources) to save the copy.
NormalizedMonth BuildMonth(BillingPeriod period, std::vector<IngestedFile>&& files);

}  // namespace rebill::ingest
