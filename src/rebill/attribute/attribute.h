// Attribute stage: margin per customer, service and account, and the reconciliation of every
// payer's CUR total against what customers, the reseller and the Unassigned bucket carry.
//
//   REBILL_ASSIGN_OR_RETURN(MarginReport margin, attribute::AttributeMargin(priced, set, ctx));
#pragma once

#include <string>

#include "rebill/core/result.h"
#include "rebill/model/allocated_line.h"
#include "rebill/model/margin.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/priced_line.h"
#include "rebill/model/run_context.h"
#include "rebill/model/statement.h"

namespace rebill::attribute {

/// Margin = revenue (statement amounts) - cost basis, per customer, service, account and
/// customer x service. Fails (kInternal) if revenue - cost != margin anywhere.
Result<MarginReport> AttributeMargin(const AllocatedLines& allocated, const PricedLines& priced,
                                     const StatementSet& statements, RunContext& ctx);

/// Reconcile each payer: Σ customers + Σ reseller-retained + Σ unassigned against the CUR
/// total in `allocated.cost_view`. Never fails on a difference: it reports it.
Reconciliation Reconcile(const NormalizedMonth& month, const AllocatedLines& allocated);

/// DESIGN.md §6 shapes, amounts as decimal strings.
std::string RenderReconcileJson(const Reconciliation& reconciliation);
std::string RenderReconcileText(const Reconciliation& reconciliation);
/// `by` is "customer", "service", "account" or "customer-service".
std::string RenderMarginJson(const MarginReport& report, const std::string& by);
std::string RenderMarginCsv(const MarginReport& report, const std::string& by);

}  // namespace rebill::attribute
