#include "rebill/model/margin.h"

namespace rebill {
namespace {

struct StepInfo {
  std::string_view name;
  std::string_view label;
  WaterfallLeg leg;
};

constexpr std::array<StepInfo, kWaterfallStepCount> kSteps = {{
    {"commitment_benefit_passed", "Commitment benefit passed", WaterfallLeg::kListToBasis},
    {"aws_credits_passed", "AWS credits and refunds passed", WaterfallLeg::kListToBasis},
    {"channel_discounts_passed", "Channel discounts passed", WaterfallLeg::kListToBasis},
    {"charges_off_list", "Charges without or off a list price", WaterfallLeg::kListToBasis},
    {"price_book", "Price-book markup / discount", WaterfallLeg::kBasisToPrice},
    {"fees", "Fees", WaterfallLeg::kBasisToPrice},
    {"customer_credits", "Customer credits", WaterfallLeg::kBasisToPrice},
    {"rounding", "Rounding", WaterfallLeg::kBasisToPrice},
    {"fx", "FX conversion", WaterfallLeg::kBasisToPrice},
    {"commitment_benefit_kept", "Commitment benefit kept", WaterfallLeg::kBasisToCost},
    {"channel_discounts_kept", "Channel discounts kept", WaterfallLeg::kBasisToCost},
    {"credits_kept", "AWS credits kept", WaterfallLeg::kBasisToCost},
    {"cost_view", "Cost view", WaterfallLeg::kBasisToCost},
    {"support_absorbed", "Support absorbed", WaterfallLeg::kBelowTheLine},
    {"commitment_fees_absorbed", "Commitment fees absorbed", WaterfallLeg::kBelowTheLine},
}};

}  // namespace

std::string_view WaterfallStepName(WaterfallStep step) {
  return kSteps[static_cast<size_t>(step)].name;
}
std::string_view WaterfallStepLabel(WaterfallStep step) {
  return kSteps[static_cast<size_t>(step)].label;
}
WaterfallLeg LegOf(WaterfallStep step) { return kSteps[static_cast<size_t>(step)].leg; }

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kNegativeMargin:
      return "negative_margin";
    case AlertKind::kLowMargin:
      return "low_margin";
    case AlertKind::kUnassignedSpend:
      return "unassigned_spend";
    case AlertKind::kQuarantinedLineItems:
      return "quarantined_line_items";
    case AlertKind::kUnbalancedReconciliation:
      return "unbalanced_reconciliation";
  }
  return "unknown";
}

}  // namespace rebill
