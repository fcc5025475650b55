// Statements: what a customer receives for a period. Lines are rounded to the currency's minor
// unit; the total is the sum of rounded lines and subtotal + fees - credits + tax = total
// (DESIGN.md §2, invariant 3), plus adjustments once a statement corrects closed periods.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"

namespace rebill {

enum class StatementStatus : uint8_t { kDraft, kFinal, kVoid };
std::string_view StatementStatusName(StatementStatus status);

// An adjustment line corrects an earlier, closed period: a difference found when a newer CUR
// delivery for that month arrived after close, linked to the invoice it corrects.
enum class StatementLineKind : uint8_t { kCharge, kFee, kCredit, kTax, kAdjustment };
inline constexpr int kStatementLineKindCount = 5;
std::string_view StatementLineKindName(StatementLineKind kind);

struct StatementLine {
  StatementLineKind kind = StatementLineKind::kCharge;
  std::string service;      // product code ("AmazonEC2"); empty for fees
  std::string description;  // readable ("Amazon Elastic Compute Cloud")
  Decimal list_amount;      // public on-demand value, precise
  Decimal precise;          // exact price before rounding
  Decimal amount;           // rounded to the currency's minor unit
  std::string rule;         // the pricing rule(s) applied
  std::string account{};    // usage account, when the statement groups lines by account
  /// Of usage lines: list price - cost basis, what the commitment policy gave the customer
  /// below on demand (Savings Plans, Reserved Instances), precise, in the statement's currency.
  Decimal commitment_benefit{};

  // Adjustment lines only: the invoice they correct, and why.
  std::string original_invoice{};
  std::string reason{};

  friend bool operator==(const StatementLine&, const StatementLine&) = default;
};

/// An exchange rate: 1 unit of `from` = `rate` units of `to`, for one billing period.
struct FxRate {
  std::string from;
  std::string to;
  Decimal rate;
  std::string source;  // where the rate comes from, e.g. "ECB reference rate 2026-10-31"

  friend bool operator==(const FxRate&, const FxRate&) = default;
};

/// How much of a customer credit a statement used, and what is left of it.
struct CreditUsage {
  std::string name;
  Decimal used;
  Decimal remaining;
  BillingPeriod expires;

  friend bool operator==(const CreditUsage&, const CreditUsage&) = default;
};

/// Who issues or receives a statement, as printed in its header.
struct Party {
  std::string name;
  std::vector<std::string> address;  // one entry per printed line
  std::string tax_id;                // VAT / tax registration number, when given

  friend bool operator==(const Party&, const Party&) = default;
};

/// How the reseller's statements look: the logo is a PNG path relative to the workspace, read
/// when the statement is rendered; the accent colour is "#rrggbb".
struct Branding {
  std::string logo;
  std::string accent = "#2b59c3";
  std::string paper = "A4";  // "A4" or "Letter"

  friend bool operator==(const Branding&, const Branding&) = default;
};

/// One day's charges, for the spend-by-day chart: the precise charge amounts of lines whose
/// usage starts that day, rounded once per day (so the days need not add up to the subtotal).
struct DailyAmount {
  int day = 1;  // day of the month, 1-based
  Decimal amount;

  friend bool operator==(const DailyAmount&, const DailyAmount&) = default;
};

/// The customer's account with the reseller when the statement was made: what earlier invoices
/// and notes left open, what was paid against them, and what is due including this statement.
struct AccountSummary {
  Decimal balance_brought_forward;  // Σ earlier issued documents (invoices, notes)
  Decimal payments_received;        // Σ payments recorded against them
  Decimal amount_due;               // brought forward - payments + this statement's total

  friend bool operator==(const AccountSummary&, const AccountSummary&) = default;
};

struct Statement {
  std::string customer;  // id from rebill.toml
  std::string customer_name;
  BillingPeriod period;
  std::string currency;
  StatementStatus status = StatementStatus::kDraft;
  std::string invoice_number;  // once final
  std::vector<StatementLine> lines;
  Decimal subtotal;                           // Σ charge lines
  Decimal fees;                               // Σ fee lines
  Decimal credits;                            // -Σ credit lines (a positive number)
  Decimal tax;                                // Σ tax lines
  Decimal total;                              // Σ all lines = subtotal + fees - credits + tax
  Decimal rounding_residue;                   // Σ precise - Σ rounded, reported, never lost
  std::string policy_note;                    // one plain sentence on the commitment policy
  std::optional<FxRate> fx;                   // set when billed in another currency than the CUR's
  std::vector<CreditUsage> customer_credits;  // the ledger of this period
  Party issuer;                               // the reseller's legal entity
  Party bill_to;                              // the customer
  Branding branding;
  std::string language = "en";       // a locale of data/locales ("en", "de", "zh-CN")
  std::string lines_by = "service";  // "service" or "account": how charges are grouped
  std::vector<DailyAmount> daily;    // charges by usage day, days with charges only

  // The lifecycle. Adjustment lines are part of the total: with them,
  // total = subtotal + fees - credits + tax + adjustments.
  Decimal adjustments;                    // Σ adjustment lines (corrections of closed periods)
  std::string issued;                     // date of issue (YYYY-MM-DD), once final
  std::string due_date;                   // payment due (YYYY-MM-DD), once final
  std::optional<AccountSummary> account;  // set when earlier documents or payments exist

  friend bool operator==(const Statement&, const Statement&) = default;
};

struct StatementSet {
  BillingPeriod period;
  std::string reseller;  // legal entity shown on statements
  std::vector<Statement> statements;

  friend bool operator==(const StatementSet&, const StatementSet&) = default;
};

}  // namespace rebill
