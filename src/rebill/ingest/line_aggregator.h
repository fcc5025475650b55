// LineAggregator: adds up the rows of a billing file to the billing grain (DESIGN.md §3). A CUR
// has a row per resource and hour; every later stage only needs the dimensions a canonical line
// keeps, so rows that agree on all of them and start in the same time bucket become one line whose
// amounts are the exact sums of theirs. That keeps a month's memory and its re-runs proportional to
// what is billed, not to how many hours and resources produced it.
//
// The time bucket is the UTC day, cut further at every `cuts` time inside it (the times at which
// the configuration changes an account's customer, a split or a price plan), so each line is
// wholly on one side of every such change. A line's usage_start / usage_end are the earliest
// start and latest end of its rows, source_row is its first row and `rows` how many it adds up:
// the way back to the raw rows for an explanation.
//
//   LineAggregator lines(options.time_cuts);
//   for (each parsed row) lines.Add(line);
//   std::vector<CurLine> out = lines.Take();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rebill/core/period.h"
#include "rebill/model/cur_line.h"

namespace rebill::ingest {

class LineAggregator {
 public:
  /// `cuts`: times at which a bucket ends besides midnight; any order, duplicates allowed.
  explicit LineAggregator(std::vector<Timestamp> cuts = {});

  /// Add one row (rows = 1) or an already aggregated line.
  void Add(const CurLine& line);
  /// Add every line of `other` (lines of the same file read in parallel pieces).
  void Merge(LineAggregator&& other);

  size_t size() const { return lines_.size(); }
  /// The lines, in the order of their first row; the aggregator is empty afterwards.
  std::vector<CurLine> Take();

  /// The start of the time bucket `t` falls in.
  Timestamp BucketStart(Timestamp t) const;

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  void EncodeKey(const CurLine& line);
  /// The line with `line`'s key, or null; leaves the key in key_.
  CurLine* Find(const CurLine& line);

  std::vector<Timestamp> cuts_;  // sorted, unique
  std::string key_;              // reused for every row
  std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>> index_;
  std::vector<CurLine> lines_;
};

}  // namespace rebill::ingest
