#include "rebill/model/allocated_line.h"

namespace rebill {

std::string_view BucketName(Bucket bucket) {
  switch (bucket) {
    case Bucket::kCustomer:
      return "customer";
    case Bucket::kResellerRetained:
      return "reseller-retained";
    case Bucket::kUnassigned:
      return "unassigned";
  }
  return "unassigned";
}

std::string_view ChargeCategoryName(ChargeCategory category) {
  switch (category) {
    case ChargeCategory::kUsage:
      return "usage";
    case ChargeCategory::kCommitment:
      return "commitment";
    case ChargeCategory::kCredit:
      return "credit";
    case ChargeCategory::kRefund:
      return "refund";
    case ChargeCategory::kDiscount:
      return "discount";
    case ChargeCategory::kTax:
      return "tax";
    case ChargeCategory::kMarketplace:
      return "marketplace";
    case ChargeCategory::kSupport:
      return "support";
  }
  return "usage";
}

}  // namespace rebill
