// NormalizedMonth: the output of ingest for one billing period — the canonical lines of every
// file ingested for the period, with where each came from and the totals ingest saw.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "rebill/core/period.h"
#include "rebill/model/cur_line.h"

namespace rebill {

struct SourceFile {
  std::string path;    // as given to `rebill ingest`
  std::string sha256;  // of the file's bytes
  std::string format;  // "legacy-cur-csv", ...
  uint64_t rows = 0;   // data rows read

  friend bool operator==(const SourceFile&, const SourceFile&) = default;
};

struct NormalizedMonth {
  BillingPeriod period;
  std::vector<SourceFile> sources;
  std::vector<CurLine> lines;
  /// The most fractional digits any cost value was written with; totals print with at least
  /// this many so that they read like the file (1.68230869740, not 1.6823086974).
  int display_scale = 2;
  /// The tag and cost-category keys ingest kept (those the configuration referenced then).
  std::vector<std::string> tag_keys;
  /// The times, besides midnights (UTC), at which ingest started a new time bucket when it
  /// aggregated rows: every time the configuration then changed an assignment, split or price
  /// plan. A configuration that changes something at another time inside a day needs the month
  /// ingested again.
  std::vector<Timestamp> time_cuts;

  /// True once AWS has finalized the month (some line carries bill/InvoiceId).
  bool IsFinal() const;
  /// Σ of one cost view over all lines, exact.
  Decimal Total(CostView view) const;

  friend bool operator==(const NormalizedMonth&, const NormalizedMonth&) = default;
};

}  // namespace rebill
