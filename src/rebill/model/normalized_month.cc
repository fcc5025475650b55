#include "rebill/model/normalized_month.h"

namespace rebill {

bool NormalizedMonth::IsFinal() const {
  for (const CurLine& line : lines) {
    if (!line.invoice_id.empty()) return true;
  }
  return false;
}

Decimal NormalizedMonth::Total(CostView view) const {
  Decimal sum;
  for (const CurLine& line : lines) sum += line.cost.Get(view);
  return sum;
}

}  // namespace rebill
