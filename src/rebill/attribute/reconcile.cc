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
  // A month has a payer or a few and an invoice or two each: the look-ups of the previous line
  // are reused while the payer and invoice stay the same (map nodes stay put).
  struct Slot {
    const std::string* payer = nullptr;
    const std::string* invoice = nullptr;
    PayerReconciliation* totals = nullptr;
    bool* final = nullptr;
    std::pair<Decimal, Decimal>* invoice_totals = nullptr;
  } slot;
  // `of_the_month`: a payer first seen in the allocated lines alone is not final.
  auto find = [&](const std::string& payer, const std::string& invoice,
                  bool of_the_month) -> Slot& {
    if (slot.payer == nullptr || *slot.payer != payer) {
      slot.totals = &payers[payer];
      slot.totals->payer = payer;
      slot.final = &final.try_emplace(payer, of_the_month).first->second;
      slot.payer = &payer;
      slot.invoice = nullptr;
    }
    if (slot.invoice == nullptr || *slot.invoice != invoice) {
      slot.invoice_totals = &invoices[payer][invoice];
      slot.invoice = &invoice;
    }
    return slot;
  };
  for (const CurLine& line : month.lines) {
    Slot& at = find(line.payer_account, line.invoice_id, true);
    const Decimal cost = line.cost.Get(allocated.cost_view);
    at.totals->cur_total += cost;
    *at.final = *at.final && !line.invoice_id.empty();
    at.invoice_totals->first += cost;
  }
  const std::string no_invoice;
  for (const AllocatedLine& a : allocated.lines) {
    // Every allocated part keeps the row it came from (kept amounts and spread charges keep the
    // row of the line they were derived from), so it lands on that row's invoice.
    const std::string& invoice =
        a.line < month.lines.size() ? month.lines[a.line].invoice_id.str() : no_invoice;
    Slot& at = find(a.payer_account, invoice, false);
    at.invoice_totals->second += a.cost_basis;
    PayerReconciliation& p = *at.totals;
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
