// Rejects: a malformed row is data, not a crash. Stages report each bad row to a RejectSink with
// where it was and why; the RejectPolicy decides whether the operation fails.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rebill/core/status.h"

namespace rebill {

struct Reject {
  std::string stage;  // "ingest"
  std::string file;
  uint64_t row = 0;      // 1-based data row (header = 0)
  std::string column;    // header name, when one column is at fault
  std::string reason;    // what is wrong
  std::string raw_text;  // the offending text, truncated
  std::string hint;      // what to do
  /// A short class for summaries: "malformed value", "field count", "outside period",
  /// "manifest type".
  std::string kind = "malformed value";

  /// "file.csv: row 17, column lineItem/UnblendedCost: 'abc' is not a decimal number ..."
  std::string ToString() const;
};

/// How many bad rows an operation tolerates before it fails.
struct RejectPolicy {
  enum class Kind { kFail, kSkipUpTo };
  Kind kind = Kind::kFail;
  uint64_t max_rows = 0;  // with kSkipUpTo

  static RejectPolicy Fail() { return {}; }
  static RejectPolicy SkipUpTo(uint64_t rows) { return {Kind::kSkipUpTo, rows}; }
};

class RejectSink {
 public:
  explicit RejectSink(RejectPolicy policy = RejectPolicy::Fail()) : policy_(policy) {}

  /// Record a reject. Returns an error (kInvalidInput, naming the row) once the policy says the
  /// operation must stop; OK while the row may be skipped.
  Status Add(Reject reject);

  const std::vector<Reject>& rejects() const { return rejects_; }
  /// Forget the rejects after the first `count` (those of a read that is started over).
  void Truncate(size_t count) {
    if (count < rejects_.size()) rejects_.resize(count);
  }
  /// The rejects so far, leaving the sink empty.
  std::vector<Reject> TakeRejects() { return std::exchange(rejects_, {}); }

 private:
  RejectPolicy policy_;
  std::vector<Reject> rejects_;
};

}  // namespace rebill
