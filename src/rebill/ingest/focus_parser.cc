// FOCUS 1.0 / 1.1 / 1.2 rows as canonical lines. FOCUS states the cost views directly, so none
// is derived here: unblended = net unblended = BilledCost (FOCUS bills after negotiated
// discounts), amortized = EffectiveCost, public on-demand = ListCost. The provider goes into
// billing_entity ("AWS", "Microsoft", ...), except that AWS rows a third party published become
// "AWS Marketplace" like the CUR's bill/BillingEntity, so later stages treat them alike.
#include <algorithm>
#include <array>

#include "rebill/ingest/row_parser_internal.h"

namespace rebill::ingest {
namespace {

enum Column : int {
  kBillingAccountId,
  kSubAccountId,
  kChargeCategory,
  kChargeClass,
  kChargeDescription,
  kBilledCost,
  kEffectiveCost,
  kListCost,
  kBillingCurrency,
  kBillingPeriodStart,
  kChargePeriodStart,
  kChargePeriodEnd,
  kServiceName,
  kRegionId,
  kCommitmentDiscountId,
  kCommitmentDiscountStatus,
  kCommitmentDiscountCategory,
  kInvoiceId,
  kInvoiceIssuerName,
  kPublisherName,
  kProviderName,
  kConsumedQuantity,
  kConsumedUnit,
  kPricingQuantity,
  kPricingUnit,
  kTags,
  kAwsServiceCode,     // x_ServiceCode: AWS's FOCUS exports
  kAwsUsageType,       // x_UsageType
  kAwsOperation,       // x_Operation
  kAwsCostCategories,  // x_CostCategories
  kColumnCount,
};

constexpr std::string_view kNames[kColumnCount] = {
    "BillingAccountId",
    "SubAccountId",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ServiceName",
    "RegionId",
    "CommitmentDiscountId",
    "CommitmentDiscountStatus",
    "CommitmentDiscountCategory",
    "InvoiceId",
    "InvoiceIssuerName",
    "PublisherName",
    "ProviderName",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "Tags",
    "x_ServiceCode",
    "x_UsageType",
    "x_Operation",
    "x_CostCategories",
};

constexpr Column kRequired[] = {kBillingAccountId, kChargeCategory, kBilledCost,
                                kBillingPeriodStart};

// FOCUS values are case-sensitive by the spec, yet real exports differ ("Usage-based").
bool Is(std::string_view text, std::string_view expected) {
  if (text.size() != expected.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char a = text[i], b = expected[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// The CUR line item type closest to a FOCUS charge. A Correction (ChargeClass) corrects a
// charge of an earlier invoice and keeps that charge's type.
LineItemType TypeOf(std::string_view category, std::string_view commitment_status,
                    std::string_view commitment_category) {
  if (Is(category, "Usage")) {
    if (Is(commitment_status, "Used")) {
      // Spend commitments are Savings Plans, usage commitments Reserved Instances.
      if (Is(commitment_category, "Spend")) return LineItemType::kSavingsPlanCoveredUsage;
      if (Is(commitment_category, "Usage")) return LineItemType::kDiscountedUsage;
    }
    return LineItemType::kUsage;
  }
  if (Is(category, "Purchase")) return LineItemType::kFee;
  if (Is(category, "Tax")) return LineItemType::kTax;
  if (Is(category, "Credit")) return LineItemType::kCredit;
  if (Is(category, "Adjustment")) return LineItemType::kRefund;
  return LineItemType::kUnknown;
}

bool IsAmazonEntity(std::string_view name) {
  return name.substr(0, 19) == "Amazon Web Services" || name == "AWS" || name == "Amazon";
}

class FocusParser : public RowParser {
 public:
  FocusParser(const std::string& path, RejectSink& rejects) : path_(path), reader_(path, rejects) {
    reader_.set_null_token("NULL");
  }

  Status MapHeader(std::vector<std::string> header, const IngestOptions& options) override {
    tag_keys_ = std::make_unique<TagKeys>(options.tag_keys);
    row_tags_ = std::make_unique<RowTags>(*tag_keys_);
    reader_.SetHeader(std::move(header));
    for (int c = 0; c < kColumnCount; ++c) index_[c] = reader_.Find(kNames[c]);
    for (Column c : kRequired) {
      if (index_[c] < 0) {
        return InvalidInput(path_ + ": the header has no column " + std::string(kNames[c]) +
                            "; FOCUS requires it in every file");
      }
    }
    return Status::Ok();
  }

  Status Parse(const RowCells& f, uint64_t row, CurLine* line, LineTexts* texts,
               bool* skip) override {
    *skip = false;
    reader_.StartRow(f, row);
    auto text = [&](Column c) { return reader_.Text(index_[c]); };
    for (Column c : kRequired) {
      if (text(c).empty()) return reader_.RejectRequiredEmpty(skip, index_[c]);
    }
    texts->payer_account = text(kBillingAccountId);
    // A charge of the billing account itself has no sub-account.
    texts->usage_account = text(kSubAccountId);
    if (texts->usage_account.empty()) texts->usage_account = texts->payer_account;
    line->type = TypeOf(text(kChargeCategory), text(kCommitmentDiscountStatus),
                        text(kCommitmentDiscountCategory));
    type_text_.assign("FOCUS:").append(text(kChargeCategory));
    texts->type_text = type_text_;

    std::string_view provider = text(kProviderName);
    if (provider.empty()) provider = text(kInvoiceIssuerName);
    std::string_view publisher = text(kPublisherName);
    texts->billing_entity = provider;
    if (provider == "AWS" && !publisher.empty() && !IsAmazonEntity(publisher)) {
      texts->billing_entity = "AWS Marketplace";
    }
    texts->bill_type = {};  // FOCUS has no bill type
    texts->invoice_id = text(kInvoiceId);
    texts->product_name = text(kServiceName);
    texts->product_code = text(kAwsServiceCode);
    if (texts->product_code.empty()) texts->product_code = texts->product_name;
    texts->usage_type = text(kAwsUsageType);
    texts->operation = text(kAwsOperation);
    texts->region = text(kRegionId);
    texts->description = text(kChargeDescription);
    texts->currency = text(kBillingCurrency);
    texts->commitment_arn = text(kCommitmentDiscountId);
    line->source_row = row;

    Timestamp period_start = 0;
    if (!reader_.Time(index_[kBillingPeriodStart], &period_start)) return reader_.Reject(skip);
    line->period = BillingPeriod::Containing(period_start);
    if (!reader_.Time(index_[kChargePeriodStart], &line->usage_start) ||
        !reader_.Time(index_[kChargePeriodEnd], &line->usage_end)) {
      return reader_.Reject(skip);
    }

    std::optional<Decimal> billed, effective, list, quantity;
    if (!reader_.Money(index_[kBilledCost], &billed) ||
        !reader_.Money(index_[kEffectiveCost], &effective) ||
        !reader_.Money(index_[kListCost], &list)) {
      return reader_.Reject(skip);
    }
    // The consumed quantity is what the CUR calls the usage amount; the pricing quantity
    // stands in where a provider leaves it null.
    Column quantity_column = text(kConsumedQuantity).empty() ? kPricingQuantity : kConsumedQuantity;
    if (!reader_.Number(index_[quantity_column], &quantity)) return reader_.Reject(skip);
    line->usage_amount = quantity.value_or(Decimal());
    texts->pricing_unit = text(quantity_column == kConsumedQuantity ? kConsumedUnit : kPricingUnit);
    line->cost.unblended = *billed;
    line->cost.net_unblended = *billed;
    // EffectiveCost and ListCost are mandatory; a file that still leaves them null is read as
    // undiscounted (amortized = billed) with no list price.
    line->cost.amortized = effective.value_or(*billed);
    line->cost.public_on_demand = list.value_or(Decimal());

    row_tags_->Clear();
    if (!tag_keys_->empty()) {
      auto tags = [&](bool cost_category) {
        return [this, cost_category](std::string_view key, std::string_view value) {
          for (size_t rank : tag_keys_->MatchMapKey(key, cost_category)) {
            row_tags_->Offer(rank, value);
          }
        };
      };
      if (!reader_.JsonMap(index_[kTags], tags(false)) ||
          !reader_.JsonMap(index_[kAwsCostCategories], tags(true))) {
        return reader_.Reject(skip);
      }
    }
    row_tags_->Emit(&line->tags);
    reader_.KeepRow();
    return Status::Ok();
  }

  int display_scale() const override { return reader_.display_scale(); }
  uint64_t rounded_values() const override { return reader_.rounded_values(); }

  std::vector<int> UsedColumns() const override {
    std::vector<int> used;
    for (int index : index_) {
      if (index >= 0) used.push_back(index);
    }
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    return used;
  }

 private:
  const std::string& path_;
  FieldReader reader_;
  std::array<int, kColumnCount> index_{};
  std::unique_ptr<TagKeys> tag_keys_;
  std::unique_ptr<RowTags> row_tags_;
  std::string type_text_;  // the current row's "FOCUS:<ChargeCategory>"
};

}  // namespace

std::unique_ptr<RowParser> MakeFocusParser(const std::string& path, RejectSink& rejects) {
  return std::make_unique<FocusParser>(path, rejects);
}

}  // namespace rebill::ingest
