// The statement lifecycle's pure rules (docs/statement_format.md): invoice numbers from a
// format, the differences between two versions of a period's statements, adjustment lines that
// carry corrections of a closed period onto a later statement, and receivables (invoice status,
// aging). The pipeline decides when they apply and the store keeps the results.
//
//   REBILL_ASSIGN_OR_RETURN(std::string number, FormatInvoiceNumber("INV-{year}-{seq:05}", p, 7));
#pragma once

#include <array>
#include <string>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/result.h"
#include "rebill/model/statement.h"

namespace rebill::report {

/// Check a number format: literal text with the placeholders {year} and {month} (of the billing
/// period) and {seq} or {seq:0N} (the sequence number, zero-padded to N digits, N <= 12), which
/// must appear exactly once. The error says what is wrong, for the caller to name the key.
Status CheckNumberFormat(const std::string& format);
/// The document number for sequence number `seq` of `period`.
Result<std::string> FormatInvoiceNumber(const std::string& format, BillingPeriod period,
                                        int64_t seq);

/// One line's change between two versions of a statement, keyed by (kind, service).
struct LineChange {
  StatementLineKind kind = StatementLineKind::kCharge;
  std::string service;
  std::string description;
  Decimal before;
  Decimal after;
  Decimal Delta() const { return after - before; }
};

struct StatementChange {
  std::string customer;
  std::string currency;
  std::string invoice_number;  // of the earlier version, when it was final
  Decimal total_before;
  Decimal total_after;
  bool added = false;    // no earlier statement
  bool removed = false;  // no later statement
  std::vector<LineChange> lines;
};

/// What changed from `before` to `after`, per customer (only customers with a change), lines in
/// the order of `after` then lines only `before` has.
std::vector<StatementChange> DiffStatements(const StatementSet& before, const StatementSet& after);

/// Add adjustment lines to `statement` (already built for its own period) and update its
/// adjustments and total; fails if the statement would not add up.
Status AddAdjustmentLines(Statement& statement, const std::vector<StatementLine>& adjustments);

/// Where a numbered document stands with its payments at a date.
enum class InvoiceState : uint8_t { kOpen, kPartiallyPaid, kPaid, kOverdue, kVoid };
std::string_view InvoiceStateName(InvoiceState state);

/// The state of a document of `total` with `paid` received, due on `due_date` (YYYY-MM-DD),
/// seen on `as_of` (YYYY-MM-DD). Overdue wins over partially paid once the due date passed.
/// Credit notes (total <= 0) are paid by nature.
InvoiceState StateOf(const Decimal& total, const Decimal& paid, const std::string& due_date,
                     const std::string& as_of, bool voided);

/// Aging buckets of an open amount by days past due: current (not yet due), 1-30, 31-60,
/// 61-90, over 90.
inline constexpr std::array<const char*, 5> kAgingBuckets = {"current", "1-30", "31-60", "61-90",
                                                             "90+"};
/// The bucket index of a document due on `due_date`, seen on `as_of` (both YYYY-MM-DD).
Result<size_t> AgingBucket(const std::string& due_date, const std::string& as_of);

}  // namespace rebill::report
