#include <string_view>

#include "rebill/core/escape.h"
#include "rebill/model/aws_services.h"
#include "rebill/report/detail.h"

namespace rebill::report {
namespace {

std::string Row(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvField(fields[i]);
  }
  return out + "\n";
}

// Lines without their own usage time (fees, customer credits, tax, CUR lines without dates)
// cover the whole period.
std::pair<std::string, std::string> ChargePeriod(const DetailLine& l, BillingPeriod period) {
  return {FormatTimestamp(l.usage_start != 0 ? l.usage_start : period.start()),
          FormatTimestamp(l.usage_end != 0 ? l.usage_end : period.end())};
}

// FOCUS ChargeCategory: Usage, Purchase, Tax, Credit or Adjustment.
std::string_view FocusCategory(const DetailLine& l) {
  switch (l.kind) {
    case StatementLineKind::kTax:
      return "Tax";
    case StatementLineKind::kCredit:
      return "Credit";
    case StatementLineKind::kFee:
      return "Purchase";  // the reseller's fees are bought services
    case StatementLineKind::kAdjustment:
      return "Adjustment";  // a correction of an earlier, closed period
    case StatementLineKind::kCharge:
      break;
  }
  switch (l.category) {
    case ChargeCategory::kCommitment:
      return "Purchase";
    case ChargeCategory::kTax:
      return "Tax";
    case ChargeCategory::kCredit:
    case ChargeCategory::kRefund:
      return "Credit";
    default:
      return "Usage";
  }
}

std::string ServiceName(const DetailLine& l) {
  return l.kind == StatementLineKind::kCharge || l.kind == StatementLineKind::kCredit
             ? ServiceDisplayName(l.service)
             : l.service;
}

}  // namespace

std::string RenderDetailCsv(const CustomerDetail& d) {
  std::string out =
      Row({"period",        "customer",      "currency",     "kind",         "category",
           "payer_account", "usage_account", "service",      "service_name", "line_item_type",
           "usage_type",    "operation",     "region",       "description",  "usage_start",
           "usage_end",     "usage_amount",  "pricing_unit", "list_cost",    "amount",
           "rule"});
  for (const DetailLine& l : d.lines) {
    auto [start, end] = ChargePeriod(l, d.period);
    out += Row({d.period.ToString(),
                d.customer,
                d.currency,
                std::string(StatementLineKindName(l.kind)),
                std::string(ChargeCategoryName(l.category)),
                l.payer_account,
                l.usage_account,
                l.service,
                ServiceName(l),
                l.line_item_type,
                l.usage_type,
                l.operation,
                l.region,
                l.description,
                start,
                end,
                l.usage_amount.ToString(),
                l.pricing_unit,
                l.list_cost.ToString(),
                l.amount.ToString(),
                l.rule});
  }
  return out;
}

std::string RenderFocusCsv(const CustomerDetail& d) {
  std::string out =
      Row({"BillingAccountId",  "BillingAccountName", "BillingCurrency", "BillingPeriodStart",
           "BillingPeriodEnd",  "ChargePeriodStart",  "ChargePeriodEnd", "ChargeCategory",
           "ChargeDescription", "BilledCost",         "EffectiveCost",   "ListCost",
           "ContractedCost",    "ConsumedQuantity",   "ConsumedUnit",    "InvoiceIssuerName",
           "ProviderName",      "PublisherName",      "RegionId",        "ServiceName",
           "SubAccountId",      "x_LineItemType",     "x_UsageType",     "x_Operation",
           "x_PricingRule"});
  const std::string period_start = FormatTimestamp(d.period.start());
  const std::string period_end = FormatTimestamp(d.period.end());
  for (const DetailLine& l : d.lines) {
    auto [start, end] = ChargePeriod(l, d.period);
    const bool aws = l.kind == StatementLineKind::kCharge ||
                     (l.kind == StatementLineKind::kCredit && !l.usage_account.empty());
    const std::string amount = l.amount.ToString();
    out += Row(
        {d.customer,
         d.customer_name,
         d.currency,
         period_start,
         period_end,
         start,
         end,
         std::string(FocusCategory(l)),
         l.description,
         amount,
         amount,
         l.list_cost.ToString(),
         amount,
         l.usage_amount.IsZero() ? "" : l.usage_amount.ToString(),
         l.pricing_unit,
         d.issuer,
         aws ? "Amazon Web Services" : d.issuer,
         aws ? (l.billing_entity == "AWS Marketplace" ? "AWS Marketplace" : "Amazon Web Services")
             : d.issuer,
         l.region,
         ServiceName(l),
         l.usage_account,
         l.line_item_type,
         l.usage_type,
         l.operation,
         l.rule});
  }
  return out;
}

}  // namespace rebill::report
