#include "rebill/model/statement.h"

namespace rebill {

std::string_view StatementStatusName(StatementStatus status) {
  switch (status) {
    case StatementStatus::kDraft:
      return "draft";
    case StatementStatus::kFinal:
      return "final";
    case StatementStatus::kVoid:
      return "void";
  }
  return "draft";
}

std::string_view StatementLineKindName(StatementLineKind kind) {
  switch (kind) {
    case StatementLineKind::kCharge:
      return "charge";
    case StatementLineKind::kFee:
      return "fee";
    case StatementLineKind::kCredit:
      return "credit";
    case StatementLineKind::kTax:
      return "tax";
    case StatementLineKind::kAdjustment:
      return "adjustment";
  }
  return "charge";
}

}  // namespace rebill
