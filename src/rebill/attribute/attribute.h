// Attribute stage: margin per customer, service and account against the reseller's true cost,
// the margin waterfall from list price to customer price to reseller cost, the alerts of a run,
// and the reconciliation of every payer's CUR total against what customers, the reseller and
// the Unassigned bucket carry.
//
//   REBILL_ASSIGN_OR_RETURN(MarginReport margin,
//                           attribute::AttributeMargin(allocated, at_cost, priced, set, ctx));
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/result.h"
#include "rebill/model/allocated_line.h"
#include "rebill/model/margin.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/priced_line.h"
#include "rebill/model/run_context.h"
#include "rebill/model/statement.h"

namespace rebill::attribute {

/// Margin = revenue (statement amounts without tax, in the cost currency) - true cost, per
/// customer, service, account and customer x service, with a waterfall per customer and in
/// total. `allocated` is the allocation customers were priced on; `at_cost` the same month
/// allocated in the margin's cost view (the same object when the views agree): a customer's true
/// cost is its cost basis there plus what the reseller kept of what its usage earned
/// (AllocatedLine::earned_by). Fails (kInternal) if revenue - cost != margin anywhere or a
/// waterfall does not add up.
Result<MarginReport> AttributeMargin(const AllocatedLines& allocated, const AllocatedLines& at_cost,
                                     const PricedLines& priced, const StatementSet& statements,
                                     RunContext& ctx);
inline Result<MarginReport> AttributeMargin(const AllocatedLines& allocated,
                                            const PricedLines& priced,
                                            const StatementSet& statements, RunContext& ctx) {
  return AttributeMargin(allocated, allocated, priced, statements, ctx);
}

/// Each leg of the waterfall adds up exactly and margin = customer price - reseller cost
/// (model/margin.h); kInternal naming the leg otherwise.
Status CheckWaterfall(const Waterfall& waterfall);

/// Several periods' margins as one report: rows and waterfalls summed by key, alerts kept.
/// The reports must share the currency and both cost views (kInvalidInput otherwise).
Result<MarginReport> CombineMargins(const std::vector<MarginReport>& reports);

/// Reconcile each payer: Σ customers + Σ reseller-retained + Σ unassigned against the CUR
/// total in `allocated.cost_view`. Never fails on a difference: it reports it.
Reconciliation Reconcile(const NormalizedMonth& month, const AllocatedLines& allocated);

struct AlertSettings {
  std::optional<Decimal> margin_below_percent;  // [margin] alert_below_percent
};

/// What the billing team should look at: customers with a negative margin or a margin % below
/// the threshold, unassigned spend, quarantined line item types, an unbalanced reconciliation.
std::vector<Alert> RaiseAlerts(const MarginReport& margin, const Reconciliation& reconciliation,
                               const NormalizedMonth& month, const AlertSettings& settings);

/// DESIGN.md §6 shapes, amounts as decimal strings.
std::string RenderReconcileJson(const Reconciliation& reconciliation);
std::string RenderReconcileText(const Reconciliation& reconciliation);
/// `by` is "customer", "service", "account", "customer-service" or (CSV) "waterfall".
std::string RenderMarginJson(const MarginReport& report, const std::string& by);
std::string RenderMarginCsv(const MarginReport& report, const std::string& by);
/// One self-contained HTML page: tables, alerts and inline SVG charts; nothing loaded from
/// anywhere.
std::string RenderMarginHtml(const MarginReport& report, const std::string& reseller);
std::string RenderAlertsText(const std::vector<Alert>& alerts);
/// margin / revenue * 100 to hundredths, half-up; empty when there is no revenue.
std::string MarginPercentText(const MarginRow& row);

/// The whole report at full precision, for the store, and back.
std::string MarginReportToJson(const MarginReport& report);
Result<MarginReport> ParseMarginReportJson(std::string_view json);

}  // namespace rebill::attribute
