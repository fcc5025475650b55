#include "rebill/model/cur_line.h"

#include <array>

namespace rebill {
namespace {

constexpr std::array<std::string_view, kLineItemTypeCount> kTypeNames = {
    "Usage",
    "DiscountedUsage",
    "RIFee",
    "Fee",
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "SavingsPlanRecurringFee",
    "SavingsPlanUpfrontFee",
    "Credit",
    "Refund",
    "Tax",
    "BundledDiscount",
    "EdpDiscount",
    "PrivateRateDiscount",
    "SppDiscount",
    "DistributorDiscount",
    "RiVolumeDiscount",
    "Discount",
    "FlatRateSubscription",
    "Unknown",
};

}  // namespace

std::string_view LineItemTypeName(LineItemType type) {
  return kTypeNames[static_cast<size_t>(type)];
}

LineItemType ParseLineItemType(std::string_view text) {
  for (size_t i = 0; i + 1 < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == text) return static_cast<LineItemType>(i);
  }
  return LineItemType::kUnknown;
}

bool IsChannelDiscount(LineItemType type) {
  switch (type) {
    case LineItemType::kEdpDiscount:
    case LineItemType::kPrivateRateDiscount:
    case LineItemType::kSppDiscount:
    case LineItemType::kDistributorDiscount:
    case LineItemType::kRiVolumeDiscount:
      return true;
    default:
      return false;
  }
}

std::string_view CostViewName(CostView view) {
  switch (view) {
    case CostView::kUnblended:
      return "unblended";
    case CostView::kNetUnblended:
      return "net-unblended";
    case CostView::kAmortized:
      return "amortized";
    case CostView::kPublicOnDemand:
      return "public-on-demand";
  }
  return "amortized";
}

Result<CostView> ParseCostView(std::string_view text) {
  for (CostView v : {CostView::kUnblended, CostView::kNetUnblended, CostView::kAmortized,
                     CostView::kPublicOnDemand}) {
    if (CostViewName(v) == text) return v;
  }
  return InvalidInput("unknown cost view '" + std::string(text) +
                      "' (use unblended, net-unblended, amortized or public-on-demand)");
}

Decimal CostViews::Get(CostView view) const {
  switch (view) {
    case CostView::kUnblended:
      return unblended;
    case CostView::kNetUnblended:
      return net_unblended;
    case CostView::kAmortized:
      return amortized;
    case CostView::kPublicOnDemand:
      return public_on_demand;
  }
  return amortized;
}

}  // namespace rebill
