// The statement lifecycle (docs/statement_format.md): closing a period into numbered, frozen
// invoices; voiding an invoice with a credit note; corrections of closed periods; what changed
// between runs; payments and receivables. Every state change is one store transaction with an
// audit entry naming who, the configuration version and the inputs.
//
//   REBILL_ASSIGN_OR_RETURN(CloseOutcome closed, ClosePeriod(workspace, period, {}, now, actor));
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/model/statement.h"
#include "rebill/report/lifecycle.h"
#include "rebill/store/store.h"

namespace rebill::pipeline {

struct CloseOptions {
  bool acknowledge_unassigned = false;  // close although some spend has no customer
};

struct CloseOutcome {
  BillingPeriod period;
  std::vector<store::InvoiceRecord> invoices;
};

/// Check that `period` can be closed and finalize it: number its statements from the legal
/// entity's gapless sequence, lock their exchange rates and freeze their content. Refuses
/// (kFailedPrecondition) with every failed precondition listed.
Result<CloseOutcome> ClosePeriod(const std::string& workspace, BillingPeriod period,
                                 const CloseOptions& options, Timestamp now,
                                 const std::string& actor);

struct VoidOutcome {
  store::InvoiceRecord voided;
  store::InvoiceRecord credit_note;
};

/// Void a final invoice and issue a credit note for its total, linked to it.
Result<VoidOutcome> VoidInvoice(const std::string& workspace, const std::string& number,
                                const std::string& reason, Timestamp now, const std::string& actor);

/// The statements of `period` as they stand: the frozen final ones of a closed period (with
/// voided invoices marked void), otherwise the latest run's drafts. `json` is the stored text.
struct PeriodStatements {
  StatementSet set;
  std::string json;
  bool closed = false;
  /// A closed period's files as rendered when it closed, for statements that are still as they
  /// were then (not voided): the period's CSV (empty once any is void) and HTML per customer.
  std::string frozen_csv;
  std::map<std::string, std::string> frozen_html;
};
Result<PeriodStatements> LoadStatements(const std::string& workspace, BillingPeriod period);
/// One numbered document as a one-statement set: an invoice (its final statement) or a credit or
/// debit note.
Result<PeriodStatements> LoadDocument(const std::string& workspace, const std::string& number);

/// What changed in `period`: for a closed period, the latest run after close against the final
/// statements; otherwise the latest run against the one before it.
struct PeriodDiff {
  BillingPeriod period;
  std::string against;    // "close" or "previous run"
  bool compared = false;  // false when there is nothing to compare against yet
  std::vector<report::StatementChange> changes;
};
Result<PeriodDiff> DiffPeriod(const std::string& workspace, BillingPeriod period);

/// Record a payment against a final invoice or debit note. `amount` and `paid_on` (YYYY-MM-DD)
/// are validated; errors name the field.
Result<store::Payment> RecordPayment(const std::string& workspace, const std::string& invoice,
                                     const std::string& amount, const std::string& paid_on,
                                     const std::string& reference, Timestamp now,
                                     const std::string& actor);
/// Import payments from a CSV with the header invoice,amount,date,reference: all rows are
/// checked first, then recorded in one transaction. Returns how many.
Result<size_t> ImportPayments(const std::string& workspace, const std::string& path, Timestamp now,
                              const std::string& actor);

/// One numbered document with its payments at a date.
struct ReceivableDocument {
  store::InvoiceRecord document;
  Decimal paid;
  Decimal open;  // total - paid
  report::InvoiceState state = report::InvoiceState::kOpen;
  size_t bucket = 0;  // report::kAgingBuckets
};

/// A customer's open amounts by aging bucket, in one currency.
struct CustomerAging {
  std::string customer;
  std::string currency;
  std::array<Decimal, report::kAgingBuckets.size()> buckets{};
  Decimal total;
};

struct Receivables {
  std::string as_of;  // YYYY-MM-DD
  std::vector<ReceivableDocument> documents;
  std::vector<CustomerAging> customers;
};

/// Every numbered document's status and each customer's aging at `as_of` (YYYY-MM-DD).
Result<Receivables> ListReceivables(const std::string& workspace, const std::string& as_of);

}  // namespace rebill::pipeline
