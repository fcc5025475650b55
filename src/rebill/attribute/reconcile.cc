#include <map>

#include "rebill/attribute/attribute.h"

namespace rebill::attribute {

Reconciliation Reconcile(const NormalizedMonth& month, const AllocatedLines& allocated) {
  Reconciliation out;
  out.period = month.period;
  out.cost_view = allocated.cost_view;
  out.display_scale = month.display_scale;
  out.currency = "USD";
  for (const CurLine& line : month.lines) {
    if (!line.currency.empty()) {
      out.currency = line.currency;
      break;
    }
  }
  std::map<std::string, PayerReconciliation> payers;
  // payer -> invoice -> (CUR, allocated); a payer drops out at its first row without an invoice.
  std::map<std::string, std::map<std::string, std::pair<Decimal, Decimal>>> invoices;
  std::map<std::string, bool> final;
  for (const CurLine& line : month.lines) {
    PayerReconciliation& p = payers[line.payer_account];
    p.payer = line.payer_account;
    const Decimal cost = line.cost.Get(allocated.cost_view);
    p.cur_total += cost;
    auto [it, first] = final.try_emplace(line.payer_account, true);
    it->second = it->second && !line.invoice_id.empty();
    invoices[line.payer_account][line.invoice_id].first += cost;
  }
  for (const AllocatedLine& a : allocated.lines) {
    // Every allocated part keeps the row it came from (kept amounts and spread charges keep the
    // row of the line they were derived from), so it lands on that row's invoice.
    const std::string invoice =
        a.line < month.lines.size() ? month.lines[a.line].invoice_id : std::string();
    invoices[a.payer_account][invoice].second += a.cost_basis;
  }
  for (const AllocatedLine& a : allocated.lines) {
    PayerReconciliation& p = payers[a.payer_account];
    p.payer = a.payer_account;
    switch (a.bucket) {
      case Bucket::kCustomer:
        p.customers += a.cost_basis;
        break;
      case Bucket::kResellerRetained:
        p.reseller_retained += a.cost_basis;
        break;
      case Bucket::kUnassigned:
        p.unassigned += a.cost_basis;
        break;
    }
    p.components[static_cast<size_t>(a.category)] += a.cost_basis;
  }
  out.balanced = true;
  for (auto& [payer, p] : payers) {
    p.difference = p.cur_total - (p.customers + p.reseller_retained + p.unassigned);
    out.balanced = out.balanced && p.difference.IsZero();
    if (final[payer]) {
      for (const auto& [invoice, totals] : invoices[payer]) {
        const auto& [cur, parts] = totals;
        p.invoices.push_back({invoice, cur, parts, cur - parts});
        out.balanced = out.balanced && (cur - parts).IsZero();
      }
    }
    out.payers.push_back(p);
  }
  return out;
}

}  // namespace rebill::attribute
