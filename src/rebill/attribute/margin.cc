#include <map>

#include "rebill/attribute/attribute.h"

namespace rebill::attribute {
namespace {

using Totals = std::map<std::string, std::pair<Decimal, Decimal>>;  // key -> (revenue, cost)

std::vector<MarginRow> Rows(const Totals& totals) {
  std::vector<MarginRow> rows;
  for (const auto& [key, rc] : totals) {
    rows.push_back({key, rc.first, rc.second, rc.first - rc.second});
  }
  return rows;
}

Status CheckIdentity(const std::vector<MarginRow>& rows, const char* grouping) {
  for (const MarginRow& r : rows) {
    if (r.revenue - r.cost != r.margin) {
      return Internal(std::string("invariant 'margin identity' failed for ") + grouping + " '" +
                      r.key + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<MarginReport> AttributeMargin(const AllocatedLines& allocated, const PricedLines& priced,
                                     const StatementSet& statements, RunContext& ctx) {
  MarginReport report;
  report.period = ctx.period;
  report.cost_view = allocated.cost_view;
  // Margin is in the currency of the cost: a customer billed in another currency has its revenue
  // converted back at the rate it was billed with.
  std::map<std::string, const FxRate*> rates;
  for (const Statement& s : statements.statements) {
    const std::string currency = s.fx ? s.fx->from : s.currency;
    if (report.currency.empty()) {
      report.currency = currency;
    } else if (report.currency != currency) {
      report.currency = "mixed";
    }
    if (s.fx) rates[s.customer] = &*s.fx;
  }
  auto in_cost_currency = [&](const std::string& customer, Decimal amount) -> Result<Decimal> {
    auto it = rates.find(customer);
    if (it == rates.end()) return amount;
    return Decimal::Div(amount, it->second->rate);
  };

  Totals by_customer, by_service, by_account, by_customer_service;
  // Revenue is what customers are billed, the rounded statement amounts, without tax: the tax
  // the reseller collects is owed to the tax authority.
  for (const Statement& s : statements.statements) {
    for (const StatementLine& l : s.lines) {
      if (l.kind == StatementLineKind::kTax) continue;
      REBILL_ASSIGN_OR_RETURN(Decimal amount, in_cost_currency(s.customer, l.amount));
      by_customer[s.customer].first += amount;
      by_service[l.service].first += amount;
      by_customer_service[s.customer + "/" + l.service].first += amount;
    }
    by_customer.try_emplace(s.customer);
  }
  // By account there is no statement line to take: precise priced amounts, which differ from
  // the statement by the rounding residue.
  for (const PricedLine& p : priced.lines) {
    if (p.kind == StatementLineKind::kFee) continue;  // fees belong to no account
    REBILL_ASSIGN_OR_RETURN(Decimal amount, in_cost_currency(p.customer, p.amount));
    by_account[p.usage_account].first += amount;
  }
  for (const AllocatedLine& a : allocated.lines) {
    if (a.bucket != Bucket::kCustomer) continue;
    by_customer[a.customer].second += a.cost_basis;
    by_service[a.service].second += a.cost_basis;
    by_account[a.usage_account].second += a.cost_basis;
    by_customer_service[a.customer + "/" + a.service].second += a.cost_basis;
  }
  report.by_customer = Rows(by_customer);
  report.by_service = Rows(by_service);
  report.by_account = Rows(by_account);
  report.by_customer_service = Rows(by_customer_service);
  report.total.key = "total";
  for (const MarginRow& r : report.by_customer) {
    report.total.revenue += r.revenue;
    report.total.cost += r.cost;
  }
  report.total.margin = report.total.revenue - report.total.cost;

  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_customer, "customer"));
  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_service, "service"));
  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_account, "account"));
  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_customer_service, "customer/service"));
  Decimal margins;
  for (const MarginRow& r : report.by_customer) margins += r.margin;
  if (margins != report.total.margin) {
    return Internal("invariant 'margin identity' failed: customers' margins sum to " +
                    margins.ToString() + ", the total margin is " + report.total.margin.ToString());
  }
  return report;
}

}  // namespace rebill::attribute
