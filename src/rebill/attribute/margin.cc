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
  for (const Statement& s : statements.statements) {
    if (report.currency.empty()) {
      report.currency = s.currency;
    } else if (report.currency != s.currency) {
      report.currency = "mixed";
    }
  }

  Totals by_customer, by_service, by_account, by_customer_service;
  // Revenue is what customers are billed: the rounded statement amounts.
  for (const Statement& s : statements.statements) {
    by_customer[s.customer].first += s.total;
    for (const StatementLine& l : s.lines) {
      by_service[l.service].first += l.amount;
      by_customer_service[s.customer + "/" + l.service].first += l.amount;
    }
  }
  // By account there is no statement line to take: precise priced amounts, which differ from
  // the statement by the rounding residue.
  for (const PricedLine& p : priced.lines) by_account[p.usage_account].first += p.amount;
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
