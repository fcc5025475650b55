// Ingest stage: billing files in, canonical lines out. Header-driven (column order is never
// assumed), exact (money parses to Decimal), and strict: a malformed row goes to the RejectSink
// naming the file, row and column.
//
//   RejectSink rejects;
//   REBILL_ASSIGN_OR_RETURN(IngestedFile file, ReadBillingFile("cur.csv.gz", {}, rejects));
#pragma once

#include <string>
#include <vector>

#include "rebill/core/result.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/reject.h"

namespace rebill::ingest {

struct IngestOptions {
  /// Tag / cost-category keys the configuration references, as the CUR header names them
  /// ("user:CostCenter"). Only these are kept on lines.
  std::vector<std::string> tag_keys;
};

/// One file, read and normalized. Lines may belong to several billing periods.
struct IngestedFile {
  SourceFile source;
  std::vector<CurLine> lines;  // source_file is 0; the caller re-indexes when merging
  int display_scale = 2;       // most fractional digits seen in a cost value
};

/// Read a legacy CUR CSV or CSV.gz (detected from the bytes, not the name). Fails with
/// kInvalidInput naming the file (and row / column) for unreadable or malformed data, and kIo
/// for a missing file.
Result<IngestedFile> ReadBillingFile(const std::string& path, const IngestOptions& options,
                                     RejectSink& rejects);

/// Merge the lines of `period` from `files` into one NormalizedMonth, in file order.
NormalizedMonth BuildMonth(BillingPeriod period, const std::vector<IngestedFile>& files);

}  // namespace rebill::ingest
