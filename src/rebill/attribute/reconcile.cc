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
  for (const CurLine& line : month.lines) {
    PayerReconciliation& p = payers[line.payer_account];
    p.payer = line.payer_account;
    p.cur_total += line.cost.Get(allocated.cost_view);
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
    out.payers.push_back(p);
  }
  return out;
}

}  // namespace rebill::attribute
